/** L8: models — the zoo (each an nn.Module factory). */
export { defaultCnn, type DefaultCnnOptions } from "./default-cnn.js";
