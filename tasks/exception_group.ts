/**
 * {@linkcode ExceptionGroup}: several errors thrown together.
 *
 * The class lives at the bottom layer (the loop's connection racing throws
 * it too, as asyncio's `create_connection(all_errors=True)` does); this is
 * its public home.
 *
 * @module
 */

export {
  type ErrorClass,
  type ErrorMatcher,
  ExceptionGroup,
} from "../eventloop/_lowlevel.ts";
