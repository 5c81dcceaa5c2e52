/** A map or standard file that is wrong: which file, where, why. */
export class MapError extends Error {
  override readonly name = 'MapError';
}
