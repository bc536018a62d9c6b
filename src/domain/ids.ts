// Object identifiers: time-ordered, URL-safe strings, so that listing by id lists by creation and a
// cursor is simply the last id seen.

/** The characters an id may contain; routes match ids with the same pattern. */
export const ID_PATTERN = /^[0-9a-z]{1,64}$/;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case
const RANDOM_LENGTH = 16;

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32]! + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

/** Adds one to a base32 digit string (the random part), so ids made in the same millisecond stay ordered. */
function increment(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return;
    }
    digits[i] = 0;
  }
}

function encodeDigits(digits: readonly number[]): string {
  let out = '';
  for (const digit of digits) out += ALPHABET[digit];
  return out;
}

/**
 * Makes 26-character ids: 10 characters of milliseconds since the epoch, then 16 random characters;
 * within one millisecond (or if the clock steps back) the random part counts up, keeping ids ordered.
 * A storm makes tens of thousands in a few milliseconds: the time part is encoded once per millisecond.
 * @example const nextId = idGenerator(Date.now, crypto.getRandomValues.bind(crypto)); nextId() // '01jdx3k1m2…'
 */
export function idGenerator(now: () => number, fillRandom: (bytes: Uint8Array) => Uint8Array): () => string {
  let lastMs = -1;
  let timePart = '';
  const random: number[] = [];
  return function nextId() {
    const ms = Math.floor(now());
    if (ms > lastMs) {
      lastMs = ms;
      timePart = encodeTime(ms);
      const bytes = fillRandom(new Uint8Array(RANDOM_LENGTH));
      for (let i = 0; i < RANDOM_LENGTH; i++) random[i] = bytes[i]! % 32;
      // Leave headroom so counting up within one millisecond never wraps.
      random[0] = random[0]! % 16;
    } else {
      increment(random);
    }
    return timePart + encodeDigits(random);
  };
}
