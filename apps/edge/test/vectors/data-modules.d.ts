// The test wrangler config imports these binary files as ArrayBuffers ("Data" module rule).
declare module "*.jpg" {
  const data: ArrayBuffer;
  export default data;
}
declare module "*.png" {
  const data: ArrayBuffer;
  export default data;
}
declare module "*.webp" {
  const data: ArrayBuffer;
  export default data;
}
declare module "*.gif" {
  const data: ArrayBuffer;
  export default data;
}
