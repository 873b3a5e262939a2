// Opcode encodings the VM needs outside its main loop: names of the opcodes it refuses (so
// the error says which, e.g. INST or EXT1) and pickle's little-endian LONG1/LONG4 integers.

/** Opcode names for messages about opcodes we refuse (the dangerous ones above all). */
export const REFUSED_OPCODE_NAMES: Record<number, string> = {
  105: "INST",
  111: "OBJ",
  80: "PERSID",
  130: "EXT1",
  131: "EXT2",
  132: "EXT4",
  66: "BINBYTES",
  67: "SHORT_BINBYTES",
  142: "BINBYTES8",
  150: "BYTEARRAY8",
  151: "NEXT_BUFFER",
  152: "READONLY_BUFFER",
  73: "INT",
  76: "LONG",
  70: "FLOAT",
  83: "STRING",
  86: "UNICODE",
  103: "GET",
  112: "PUT",
  143: "EMPTY_SET",
  144: "ADDITEMS",
  145: "FROZENSET",
  146: "NEWOBJ_EX",
};

/** Two's complement, little-endian; a plain number whenever it is a safe integer. */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
