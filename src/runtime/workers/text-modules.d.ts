// Files wrangler bundles as Text modules (wrangler.toml `[[rules]]`): their default export is the text.
declare module 'htmx.org/dist/htmx.min.js' {
  const text: string
  export default text
}
declare module 'uplot/dist/uPlot.iife.min.js' {
  const text: string
  export default text
}
declare module 'uplot/dist/uPlot.min.css' {
  const text: string
  export default text
}
