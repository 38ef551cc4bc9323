// Files imported as text or as embedded file paths by `bun build --compile`.
declare module "*.css" {
  const text: string;
  export default text;
}
declare module "*.html" {
  const text: string;
  export default text;
}
declare module "*.wasm" {
  const path: string;
  export default path;
}
declare module "*.svg" {
  const text: string;
  export default text;
}
