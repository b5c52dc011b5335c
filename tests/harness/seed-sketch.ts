// The seed sketch of DESIGN.md as a first user writes it (semicolons, `let`, `if` without
// parentheses), for the CLI tests that build and run it.
export const seedSketch = `var packet_counts: HashMap<u32, u64>;
@xdp
fn packet_filter(ctx: XdpContext) -> XdpAction {
let size = ctx.data_end - ctx.data;
if size > 1400 {
packet_counts[ctx.ingress_ifindex] += 1;
return XDP_DROP;
}
return XDP_PASS;
}
`;
