// The host side of interface `witc:newtest/host`: echoes what it gets, recording the
// log lines so the test can check the resource destructor ran in the guest.
export const logs = [];
export function echoPoint(p) { return { ...p }; }
export function echoShape(s) { return s; }
export function echoList(xs) { return [...xs]; }
export function echoOpt(x) { return x; }
export function echoRes(x) {
  // jco passes `result` to imports as `{tag, val}` and expects the ok value back, or a throw for err.
  if (x.tag === 'err') { const e = new Error('err'); e.payload = x.val; throw Object.assign(e, { payload: x.val }); }
  return x.val;
}
export function echoColor(c) { return c; }
export function echoStyle(s) { return { ...s }; }
export function log(msg) { logs.push(msg); }
