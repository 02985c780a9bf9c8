// Okabe–Ito: eight colours distinguishable with the common colour-vision deficiencies.
export const OKABE_ITO = [
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#009E73', // bluish green
  '#F0E442', // yellow
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#CC79A7', // reddish purple
  '#000000', // black
] as const;

/** The two series the app overlays most (you vs them) plus a neutral. */
export const SERIES = { you: '#0072B2', them: '#E69F00', other: '#009E73', muted: '#8a8fa3' } as const;

export function colour(index: number): string {
  // skip yellow on light backgrounds for lines; keep it last
  const order = [4, 0, 2, 6, 1, 5, 7, 3];
  return OKABE_ITO[order[index % order.length]];
}
