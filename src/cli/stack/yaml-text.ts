/**
 * @module
 * YAML read the way Go's yaml decoder fills a struct of strings: a plain scalar keeps its text as
 * written (`version: 1.0` is "1.0", `PORT: 0800` is "0800", not numbers), null and empty values are
 * null, quoted scalars are their value. Anchors, aliases and `<<` merge keys resolve as usual. What a
 * field needs (a boolean, a list) is checked by the stack schema on top of this.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Node, parseDocument, Scalar } from 'yaml'

export type YamlText = string | null | YamlText[] | { [key: string]: YamlText }

export class YamlError extends Error {}

export function parseYamlText(source: string): YamlText {
  const doc = parseDocument(source, { merge: true, uniqueKeys: true })
  if (doc.errors.length > 0) throw new YamlError(doc.errors.map((e) => e.message).join('; '))
  const convert = (node: unknown, depth: number): YamlText => {
    if (depth > 100) throw new YamlError('nested too deeply (an alias loop?)')
    if (node === null || node === undefined) return null
    if (isAlias(node)) return convert(node.resolve(doc), depth + 1)
    if (isScalar(node)) {
      if (node.value === null || node.value === undefined) return null
      if (node.type === Scalar.PLAIN && typeof node.source === 'string') return node.source
      return String(node.value)
    }
    if (isSeq(node)) return node.items.map((item) => convert(item, depth + 1))
    if (isMap(node)) {
      const out: { [key: string]: YamlText } = {}
      const merged: Array<{ [key: string]: YamlText }> = []
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = convert(pair.key as Node, depth + 1)
        if (key === '<<' && isScalar(pair.key) && pair.key.type === Scalar.PLAIN) {
          const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
          for (const s of sources) {
            const value = convert(s, depth + 1)
            if (value && typeof value === 'object' && !Array.isArray(value)) merged.push(value)
          }
          continue
        }
        if (typeof key !== 'string') throw new YamlError('a mapping key must be a plain value')
        out[key] = convert(pair.value, depth + 1)
      }
      // Keys written in the map win over merged ones; earlier merge sources win over later ones.
      return Object.assign({}, ...merged.reverse(), out)
    }
    throw new YamlError('unsupported YAML node')
  }
  return convert(doc.contents, 0)
}
