/* Printing map keys and values (ks_map_NAME_print): strings, chars, raw bytes. */

static KS_UNUSED void ks_print_chars(FILE *out, const char *text, size_t max) {
    fputc('"', out);
    for (size_t i = 0; i < max && text[i]; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (isprint(c)) fputc(c, out);
        else fprintf(out, "\\x%02x", c);
    }
    fputc('"', out);
}

static KS_UNUSED void ks_print_char(FILE *out, char value) {
    unsigned char c = (unsigned char)value;
    if (isprint(c) && c != '\'' && c != '\\') fprintf(out, "'%c'", c);
    else fprintf(out, "'\\x%02x'", c);
}

static KS_UNUSED void ks_print_hex(FILE *out, const void *data, size_t size) {
    const unsigned char *bytes = data;
    fputs("0x", out);
    for (size_t i = 0; i < size; i++) fprintf(out, "%02x", bytes[i]);
}

static KS_UNUSED bool ks_all_zero(const void *data, size_t size) {
    const unsigned char *bytes = data;
    for (size_t i = 0; i < size; i++) if (bytes[i]) return false;
    return true;
}
