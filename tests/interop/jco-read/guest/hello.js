// A JS guest of the `hello` world, for `jco componentize`.
import { log } from 'witc:jco-read/logger';

export const names = {
  greet(p, m) {
    log(`greeting ${p.name}`);
    return `${m === 'happy' ? 'Hello' : 'Hi'}, ${p.name} (${p.age})`;
  },
};

export function count(items) {
  return items.length;
}
