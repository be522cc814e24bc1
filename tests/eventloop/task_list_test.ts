import assert from "node:assert/strict";
import { type Linked, TaskList } from "../../eventloop/_task_list.ts";

function item(): Linked & { id?: number } {
  return { _livePrev: null, _liveNext: null };
}

Deno.test("TaskList adds once, deletes once, and iterates in insertion order", () => {
  const list = new TaskList<ReturnType<typeof item>>();
  const [a, b, c] = [item(), item(), item()];
  list.add(a).add(b).add(c).add(b);
  assert.equal(list.size, 3);
  assert.deepEqual([...list], [a, b, c]);
  assert.equal(list.delete(b), true);
  assert.equal(list.delete(b), false);
  assert.equal(list.has(b), false);
  assert.deepEqual([...list], [a, c]);
  assert.equal(list.delete(a), true);
  assert.equal(list.delete(c), true);
  assert.deepEqual([...list], []);
  assert.equal(list.size, 0);
  // A lone item at the head is still a member.
  list.add(a);
  assert.equal(list.has(a), true);
  assert.deepEqual([...list], [a]);
});

Deno.test("TaskList allows deleting the current item while iterating", () => {
  const items = Array.from({ length: 5 }, item);
  const list = new TaskList(items);
  const seen = [];
  for (const x of list) {
    seen.push(x);
    list.delete(x);
  }
  assert.deepEqual(seen, items);
  assert.equal(list.size, 0);
});

Deno.test("TaskList.clear() unlinks its items so another list can take them", () => {
  const items = Array.from({ length: 3 }, item);
  const first = new TaskList(items);
  first.clear();
  assert.equal(first.size, 0);
  assert.deepEqual([...first], []);
  const second = new TaskList(items);
  assert.equal(second.size, 3);
  assert.deepEqual([...second], items);
  assert.equal(second.delete(items[1]), true);
  assert.deepEqual([...second], [items[0], items[2]]);
});
