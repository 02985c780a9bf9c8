// A tiny distribution for the summary row: bars only, values in the title for hover.
export function MiniHist({ bins, lo, hi, label }: { bins: number[]; lo: number; hi: number; label: string }) {
  const peak = Math.max(1, ...bins);
  const w = 60;
  const h = 18;
  const bw = w / bins.length;
  return (
    <svg className="mini-hist" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label} distribution from ${lo} to ${hi}`}>
      {bins.map((count, i) => {
        const bh = (count / peak) * (h - 1);
        const from = lo + ((hi - lo) * i) / bins.length;
        const to = lo + ((hi - lo) * (i + 1)) / bins.length;
        return (
          <rect key={i} x={i * bw + 0.5} y={h - bh} width={Math.max(1, bw - 1)} height={Math.max(bh, count ? 1 : 0)}>
            <title>{`${from.toPrecision(3)}–${to.toPrecision(3)}: ${count}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}
