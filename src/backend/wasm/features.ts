/**
 * WebAssembly feature detection by validating tiny hand-written modules (as tfjs-backend-wasm
 * does): one function `() -> v128` whose body uses the instruction in question.
 */

/** A module with one function of type () -> v128 and the given body (without `end`). */
function moduleWith(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00, ...body, 0x0b]; // no locals, body, end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, code.length + 2, 0x01, code.length, ...code, // code section
  ]);
}

/** f32.const 0; f32x4.splat */
const SPLAT_ZERO = [0x43, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x13];

let simd: boolean | undefined;
let relaxed: boolean | undefined;

/** True when the engine supports fixed-width SIMD (v128). */
export function hasSimd(): boolean {
  simd ??= typeof WebAssembly === 'object' && WebAssembly.validate(moduleWith(SPLAT_ZERO));
  return simd;
}

/** True when the engine supports relaxed SIMD (checked with f32x4.relaxed_madd). */
export function hasRelaxedSimd(): boolean {
  relaxed ??=
    hasSimd() && WebAssembly.validate(moduleWith([...SPLAT_ZERO, ...SPLAT_ZERO, ...SPLAT_ZERO, 0xfd, 0x85, 0x02]));
  return relaxed;
}
