// Stands in for `vega-canvas` in the renderer's startup snapshot. Its Node build imports the
// optional `canvas` package with a top-level await, which a snapshot's CommonJS bundle cannot
// hold; without that package (the project does not install it) every one of its functions returns
// null, as these do, and vega measures text by its estimate in both renderers.
export function domCanvas() {
  return null;
}
export function nodeCanvas() {
  return null;
}
export function canvas() {
  return null;
}
export function image() {
  return null;
}
