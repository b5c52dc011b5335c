//! The embedded CPython bridge of programs that import Python modules (`import nu from
//! "./network_utils.py"`): the interpreter starts at the first call (without its own
//! signal handlers, so SIGINT/SIGTERM keep detaching), the binary's directory is put
//! first on `sys.path` (the `.py` files are copied next to the binary), each module is
//! imported once. A call converts each argument to a Python int/bool/str, calls the
//! function, and converts the result to the annotated type; a Python exception prints
//! its traceback and the program exits 1 (atexit detaches everything).
//!
//! C API:
//!   PyObject *ks_py_call(const char *module, const char *function, const char *display, int argc, PyObject **argv)
//!   PyObject *ks_py_text(const char *text)
//!   long long ks_py_i64(PyObject *), unsigned long long ks_py_u64(PyObject *), bool ks_py_bool(PyObject *),
//!   void ks_py_str(PyObject *, char *out, size_t size), void ks_py_none(PyObject *)   (take the reference)

import type * as ir from "../../ir.js";
import type { CWriter } from "../c-writer.js";
import { cString } from "../c-code.js";
import { stringStructName } from "../../names.js";

export function usesPython(module: ir.IrModule): boolean {
  return (module.handover?.pythonModules.length ?? 0) > 0;
}

/** Python.h must come before every system header. */
export function emitPythonIncludes(w: CWriter, module: ir.IrModule): void {
  if (!usesPython(module)) return;
  w.line("#define PY_SSIZE_T_CLEAN");
  w.line("#include <Python.h>");
}

export function emitPythonRuntime(w: CWriter, module: ir.IrModule): void {
  const modules = module.handover?.pythonModules ?? [];
  if (modules.length === 0) return;
  w.line(`static PyObject *ks_py_modules[${modules.length}];`);
  w.line(`static const char *const ks_py_module_names[${modules.length}] = { ${modules.map((m) => cString(m.moduleName)).join(", ")} };`);
  w.line();
  w.block("static __attribute__((noreturn)) void ks_py_fail(const char *what)", () => {
    w.line("if (PyErr_Occurred()) PyErr_Print();");
    w.line("fprintf(stderr, \"error: %s failed with a Python exception (traceback above)\\n\", what);");
    w.line("exit(1);");
  });
  w.line();
  w.block("static PyObject *ks_py_module(const char *name)", () => {
    w.line("int index = 0;");
    w.line(`while (index < ${modules.length - 1} && strcmp(ks_py_module_names[index], name) != 0) index++;`);
    w.block("if (!Py_IsInitialized())", () => {
      w.comment("0: no Python signal handlers; the loader's own detach on SIGINT/SIGTERM.");
      w.line("Py_InitializeEx(0);");
      w.line("char dir[4096];");
      w.line("ks_program_directory(dir, sizeof(dir));");
      w.line("PyObject *path = PySys_GetObject(\"path\");");
      w.line("PyObject *entry = PyUnicode_DecodeFSDefault(dir);");
      w.line("if (!path || !entry || PyList_Insert(path, 0, entry) != 0) ks_py_fail(\"setting up sys.path\");");
      w.line("Py_DECREF(entry);");
    });
    w.block("if (!ks_py_modules[index])", () => {
      w.line("ks_py_modules[index] = PyImport_ImportModule(ks_py_module_names[index]);");
      w.block("if (!ks_py_modules[index])", () => {
        w.line("char what[256];");
        w.line("snprintf(what, sizeof(what), \"importing the Python module %s\", ks_py_module_names[index]);");
        w.line("ks_py_fail(what);");
      });
    });
    w.line("return ks_py_modules[index];");
  });
  w.line();
  w.comment("Calls module.function(*argv); steals the argument references, returns a new one.");
  w.block("static KS_UNUSED PyObject *ks_py_call(const char *module, const char *function, const char *display, int argc, PyObject **argv)", () => {
    w.comment("Output of both languages in call order: C's buffered stdout first, Python's after.");
    w.line("fflush(stdout);");
    w.line("PyObject *fn = PyObject_GetAttrString(ks_py_module(module), function);");
    w.line("if (!fn) ks_py_fail(display);");
    w.line("PyObject *tuple = PyTuple_New(argc);");
    w.line("if (!tuple) ks_py_fail(display);");
    w.block("for (int i = 0; i < argc; i++)", () => {
      w.line("if (!argv[i]) ks_py_fail(display);");
      w.line("PyTuple_SET_ITEM(tuple, i, argv[i]);");
    });
    w.line("PyObject *result = PyObject_CallObject(fn, tuple);");
    w.line("Py_DECREF(tuple);");
    w.line("Py_DECREF(fn);");
    w.line("if (!result) ks_py_fail(display);");
    w.line("PyObject *out = PySys_GetObject(\"stdout\");");
    w.line("PyObject *flushed = out ? PyObject_CallMethod(out, \"flush\", NULL) : NULL;");
    w.line("if (flushed) Py_DECREF(flushed);");
    w.line("else PyErr_Clear();");
    w.line("return result;");
  });
  w.line();
  w.block("static KS_UNUSED PyObject *ks_py_text(const char *text)", () => {
    w.line("return PyUnicode_DecodeUTF8(text, (Py_ssize_t)strlen(text), \"replace\");");
  });
  w.line();
  w.block("static void ks_py_expect(PyObject *result, int ok, const char *display, const char *expected)", () => {
    w.line("if (ok) return;");
    w.line("fprintf(stderr, \"error: %s returned a %s, expected %s\\n\", display, Py_TYPE(result)->tp_name, expected);");
    w.line("exit(1);");
  });
  w.line();
  w.block("static KS_UNUSED long long ks_py_i64(PyObject *result, const char *display)", () => {
    w.line("ks_py_expect(result, PyLong_Check(result), display, \"an int\");");
    w.line("long long value = PyLong_AsLongLong(result);");
    w.line("Py_DECREF(result);");
    w.line("if (PyErr_Occurred()) ks_py_fail(display);");
    w.line("return value;");
  });
  w.line();
  w.block("static KS_UNUSED unsigned long long ks_py_u64(PyObject *result, const char *display)", () => {
    w.line("ks_py_expect(result, PyLong_Check(result), display, \"an int\");");
    w.line("unsigned long long value = PyLong_AsUnsignedLongLong(result);");
    w.line("Py_DECREF(result);");
    w.line("if (PyErr_Occurred()) ks_py_fail(display);");
    w.line("return value;");
  });
  w.line();
  w.block("static KS_UNUSED bool ks_py_bool(PyObject *result, const char *display)", () => {
    w.line("ks_py_expect(result, PyBool_Check(result), display, \"a bool\");");
    w.line("bool value = result == Py_True;");
    w.line("Py_DECREF(result);");
    w.line("return value;");
  });
  w.line();
  w.comment("Copies at most size - 1 bytes of the text (longer results are cut).");
  w.block("static KS_UNUSED void ks_py_str(PyObject *result, const char *display, char *out, size_t size)", () => {
    w.line("ks_py_expect(result, PyUnicode_Check(result), display, \"a str\");");
    w.line("Py_ssize_t length = 0;");
    w.line("const char *text = PyUnicode_AsUTF8AndSize(result, &length);");
    w.line("if (!text) ks_py_fail(display);");
    w.line("size_t n = (size_t)length < size - 1 ? (size_t)length : size - 1;");
    w.line("memcpy(out, text, n);");
    w.line("out[n] = '\\0';");
    w.line("Py_DECREF(result);");
  });
  w.line();
  w.block("static KS_UNUSED void ks_py_none(PyObject *result)", () => {
    w.line("Py_DECREF(result);");
  });
  w.line();
}

/** A Python call as a C expression; `args` are the C texts of the lowered arguments. */
export function pythonCall(e: Extract<ir.IrExpr, { kind: "builtin" }>, args: readonly string[]): string {
  const target = e.python!;
  const display = cString(`${target.alias}.${target.function}()`);
  const converted = e.args.map((a, i) => {
    const text = args[i]!;
    switch (target.argKinds[i]) {
      case "bool": return `PyBool_FromLong((long)(${text}))`;
      case "str": return `ks_py_text(${text})`;
      default: {
        const signed = a.type.kind === "int" ? a.type.signed : false;
        return signed ? `PyLong_FromLongLong((long long)(${text}))` : `PyLong_FromUnsignedLongLong((unsigned long long)(${text}))`;
      }
    }
  });
  const call = `ks_py_call(${cString(target.module)}, ${cString(target.function)}, ${display}, ${converted.length}, (PyObject *[]){ ${converted.length > 0 ? converted.join(", ") : "NULL"} })`;
  switch (target.returns) {
    case "int": return `((__s64)ks_py_i64(${call}, ${display}))`;
    case "untyped": return `((__u64)ks_py_u64(${call}, ${display}))`;
    case "bool": return `ks_py_bool(${call}, ${display})`;
    case "none": return `ks_py_none(${call})`;
    case "str": {
      const size = e.type.kind === "str" ? e.type.size : 127;
      return `({ struct ${stringStructName(size)} __ks_py_text; ks_py_str(${call}, ${display}, __ks_py_text.data, sizeof(__ks_py_text.data)); __ks_py_text; })`;
    }
  }
}
