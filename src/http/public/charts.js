// Owns the dashboard's time charts: loads uPlot (served from node_modules at vendor/uplot/, never a CDN) once, draws a
// chart into a holder and redraws it with new data, keeps it as wide as its holder, and says so in the holder when
// the library is not served. The holder's data-points attribute tells how many points were drawn.
const UPLOT_SRC = 'vendor/uplot/uPlot.iife.min.js';
const HEIGHT = 230;

let library;
/** uPlot, or null when it cannot be loaded. */
export function loadUplot() {
  library ??= new Promise((resolve) => {
    if (window.uPlot) return resolve(window.uPlot);
    const script = document.createElement('script');
    script.src = UPLOT_SRC;
    script.onload = () => resolve(window.uPlot ?? null);
    script.onerror = () => resolve(null);
    document.head.append(script);
  });
  return library;
}

const charts = new Map();
const widthOf = (holder) => Math.max(320, Math.floor(holder.clientWidth || holder.parentElement?.clientWidth || 600));

window.addEventListener('resize', () => {
  for (const [holder, chart] of charts) chart.setSize({ width: widthOf(holder), height: HEIGHT });
});

/**
 * Draws `data` ([seconds[], ...series values[]]) in `holder` with uPlot options `opts` (series, axes, scales); the
 * same holder with the same series is redrawn in place. Throws when uPlot is not served.
 */
export async function drawTimeChart(holder, opts, data) {
  const uPlot = await loadUplot();
  if (!uPlot)
    throw new Error('the chart library (uPlot) is not served at vendor/uplot/ — is the uplot package installed?');
  const old = charts.get(holder);
  if (old && old.series.length === data.length) {
    old.setData(data);
  } else {
    old?.destroy();
    holder.replaceChildren();
    const chart = new uPlot({ width: widthOf(holder), height: HEIGHT, legend: { live: true }, ...opts }, data, holder);
    charts.set(holder, chart);
  }
  holder.dataset.points = String(data[0].length);
}

/** Removes the chart from `holder` (no data or an error to show instead). */
export function clearChart(holder) {
  charts.get(holder)?.destroy();
  charts.delete(holder);
  holder.replaceChildren();
  holder.dataset.points = '0';
}
