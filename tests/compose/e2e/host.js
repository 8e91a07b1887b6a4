export function print(line) { console.log(line); }
