// Waiting on an event the code under test exposes no promise for: poll its observable state
// until it holds. No time bound of its own (a slow, loaded machine only makes it slower); the
// test's timeout ends a wait for something that never happens.
export async function waitFor(holds: () => boolean | Promise<boolean>, pollMs = 5): Promise<void> {
  while (!(await holds())) await new Promise((r) => setTimeout(r, pollMs));
}
