import type { ReTerm } from "../model/Model.js";

/**
 * The random-effects terms' level blocks (level l of term i is block termBlock[i] + l) and how far
 * elimination level by level can go: `s` leading terms, after which the fill-in would break the next
 * term's block diagonal (crossed factors); `patterns[b]`, the later blocks that block b's column
 * reaches once the blocks before it are eliminated.
 */
export interface Elimination {
  s: number;
  termBlock: number[];
  blockTerm: Int32Array;
  patterns: Set<number>[];
}

/**
 * Symbolic elimination, term by term: the block patterns come from the data (level l of term i meets
 * level l' of term j > i in some row); eliminating a block adds its pattern to its first later block
 * (its parent). A term is eliminated while its diagonal stays block diagonal, as nesting keeps it.
 */
export function symbolicElimination(reTerms: readonly ReTerm[], n: number): Elimination {
  const k = reTerms.length;
  const termBlock: number[] = [];
  let nBlocks = 0;
  for (const t of reTerms) {
    termBlock.push(nBlocks);
    nBlocks += t.nl;
  }
  const blockTerm = new Int32Array(nBlocks);
  reTerms.forEach((t, i) => blockTerm.fill(i, termBlock[i]!, termBlock[i]! + t.nl));

  const patterns: Set<number>[] = k > 1 ? Array.from({ length: nBlocks }, () => new Set<number>()) : [];
  if (k > 1) {
    for (let t = 0; t < n; t++) {
      for (let i = 0; i < k - 1; i++) {
        const pat = patterns[termBlock[i]! + reTerms[i]!.refs[t]!]!;
        for (let j = i + 1; j < k; j++) pat.add(termBlock[j]! + reTerms[j]!.refs[t]!);
      }
    }
  }
  let s = 0;
  while (s < k) {
    if (s > 0) {
      let blockDiagonal = true;
      for (let b = termBlock[s]!; b < termBlock[s]! + reTerms[s]!.nl && blockDiagonal; b++) {
        for (const o of patterns[b]!) if (blockTerm[o] === s) blockDiagonal = false;
      }
      if (!blockDiagonal) break;
    }
    for (let b = termBlock[s]!; b < termBlock[s]! + reTerms[s]!.nl; b++) {
      const pat = patterns[b];
      if (pat === undefined || pat.size === 0) continue;
      let parent = Infinity;
      for (const o of pat) if (o < parent) parent = o;
      const into = patterns[parent]!;
      for (const o of pat) if (o !== parent) into.add(o);
    }
    s++;
  }
  return { s, termBlock, blockTerm, patterns };
}
