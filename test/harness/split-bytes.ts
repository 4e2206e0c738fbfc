/**
 * Cuts `bytes` at the given points (each taken modulo `bytes.length + 1`, deduplicated, sorted): the
 * pieces a parser is fed when a message arrives split anywhere. A cut at 0 or at the end gives an empty
 * piece, which a parser must take too; a caller that needs only non-empty pieces filters them out.
 */
export function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const pieces: Buffer[] = []
  let from = 0
  for (const point of points) {
    pieces.push(bytes.subarray(from, point))
    from = point
  }
  pieces.push(bytes.subarray(from))
  return pieces
}
