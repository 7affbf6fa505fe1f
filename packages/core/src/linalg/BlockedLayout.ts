/**
 * The sparsity structure of the blocked lower Cholesky factor L of Λ'AΛ + I, A = [Z X y]'W[Z X y]
 * (MixedModels.jl's blocks of `L`): which blocks exist and where each is stored. It holds no
 * values: the cross-products (`objective/crossProducts`) fill a copy of it once, and every
 * evaluation scales and factors that copy in place.
 *
 * Rows are numbered globally: the columns of Z_1 … Z_k (each term's levels in turn, p_i columns per
 * level), then X, then y. The first `s` terms are eliminated level by level: each level is a node
 * with a p_i × p_i diagonal block and a sparse column below it (whole level blocks of later terms,
 * then every X and y row). The rest, terms s..k, X and y, is one dense symmetric tail.
 */
export interface BlockedLayout {
  /** Number of leading terms eliminated level by level. */
  s: number;
  /** Global row where each term's columns start, then X's (index k), then y's (index k+1). */
  termRow: number[];
  /** Number of nodes: the levels of terms 0..s−1, in order. */
  nNodes: number;
  /** Each node's first global row, its size p and its term. */
  nodeRow: Int32Array;
  nodeP: Int32Array;
  nodeTerm: Int32Array;
  /** Node of each global row before the tail. */
  rowNode: Int32Array;
  /** Column pattern of node u: global rows rowIdx[colPtr[u] .. colPtr[u+1]), ascending, all past u. */
  colPtr: Int32Array;
  rowIdx: Int32Array;
  /** In the node values: u's diagonal block (p × p row-major) at diagOff[u]; entry e, column k at valOff[u] + (e − colPtr[u])·p + k. */
  diagOff: Int32Array;
  valOff: Int32Array;
  /** Length of the node values (the diagonal blocks and columns of every node). */
  nodeValues: number;
  /**
   * Where node u's rank update goes when it lands in another node: for the pairs (e, g), g over u's
   * entries ascending and e from g on, with row g before the tail, the index into the node values of
   * entry (row e, column g); pairs of u at pairPtr[u] .. pairPtr[u+1]).
   */
  pairPtr: Int32Array;
  pairTarget: Int32Array;
  /** Global row where the dense tail starts. */
  tailStart: number;
  /** Tail size m = q_tail + p + 1, and its random-effects rows qRest. */
  m: number;
  qRest: number;
  /** Start, within the tail, of each tail term (terms s..k−1). */
  restOffsets: number[];
}
