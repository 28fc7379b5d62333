// BullMQ beside Tally's background jobs (bench/jobs.sh, issue 17): the same no-op jobs, end to end, on the same
// redis-server. Two modes:
//
//   node bullmq-peer.mjs worker CONCURRENCY    a Worker with a no-op processor; prints "ready", then runs until
//                                              SIGTERM/SIGINT and prints its totals
//   node bullmq-peer.mjs produce N CONCURRENCY N jobs added by CONCURRENCY concurrent queue.add loops (hey -c's
//                                              analogue), waits until all N completed; prints one line
//                                              "jobs_per_s=.. add_per_s=.. add_failed=.. missing=.. duplicated=..
//                                              failed=.." and exits 1 if any of the last four is not 0
//   node bullmq-peer.mjs drain N               the workers alone: pauses the queue, adds N jobs in bulk, resumes
//                                              it and times from the resume to the last completion; prints
//                                              "jobs_per_s=.. fill_ms=.. missing=.. duplicated=.. failed=.." and
//                                              exits 1 if any of the last three is not 0
//
// Redis: 127.0.0.1:$BULLMQ_PEER_REDIS_PORT (6379). Every key starts with "bullmq-peer:" (the queue's prefix), so
// nothing collides with Tally's "tally:" keys or redis-benchmark's "bench:xadd".
//
// How the producer learns completions: each worker counts its own "completed" events (emitted once per job whose
// moveToCompleted committed; a job run twice, e.g. after a stall, counts twice) and adds them to a hash of ours
// every FLUSH_MS, together with the time of its latest completion. That is exact (nothing is sampled or trimmed)
// and cheap (one round trip per worker per FLUSH_MS, not one per job), and the end time is the last completion
// itself, not when a poll noticed it. Not QueueEvents: it reads the events stream, which BullMQ trims to about
// 10,000 entries (a reader that falls behind misses completions), and decoding ~4 events per job would cost the
// producer and Redis CPU that BullMQ itself does not spend. Not getJobCounts: removeOnComplete deletes completed
// jobs, so they are not counted anywhere.
import { Queue, Worker } from 'bullmq';

const PREFIX = 'bullmq-peer';
const QUEUE = 'noop';
const COUNTS = `${PREFIX}:counts`; // hash: completed:PID, failed:PID, last:PID (ms since the epoch)
const FLUSH_MS = 20;
const POLL_MS = 10;
const GRACE_MS = 500; // after the last expected completion: an extra one just behind it still counts (a re-run
// after a stall, 30 s of lock later, shows as an extra completion in a later burst)
const STALL_MS = 30_000; // no new completion for this long: give up and report the rest as missing
const connection = { host: '127.0.0.1', port: Number(process.env.BULLMQ_PEER_REDIS_PORT ?? 6379) };

const [mode, ...args] = process.argv.slice(2);
const whole = (value, name) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${name} must be a whole number >= 1, got '${value}'`);
  return n;
};
function usage(why) {
  console.error(`bullmq-peer: ${why}\nusage: bullmq-peer.mjs worker CONCURRENCY | produce N CONCURRENCY | drain N`);
  process.exit(2);
}

async function worker(concurrency) {
  const id = process.pid;
  // Keep no completed job and at most 100 failed ones (for a look after a defect): Redis memory stays bounded.
  const w = new Worker(QUEUE, async () => {}, {
    connection, prefix: PREFIX, concurrency, removeOnComplete: { count: 0 }, removeOnFail: { count: 100 },
  });
  let completed = 0, failed = 0, last = 0, flushed = { completed: 0, failed: 0 }, flushing = false;
  w.on('completed', () => { completed++; last = Date.now(); });
  w.on('failed', (job, err) => {
    failed++;
    last = Date.now();
    console.error(`job ${job?.id} failed: ${err?.message}`);
  });
  w.on('error', (err) => console.error(`worker error: ${err.message}`));

  const flush = async () => {
    const delta = { completed: completed - flushed.completed, failed: failed - flushed.failed };
    if (flushing || (delta.completed === 0 && delta.failed === 0)) return;
    flushing = true;
    try {
      // hset with an object: in a MULTI, ioredis 5.11 turns hset(key, field, value) into the field's characters.
      const replies = await (await w.client).multi()
        .hincrby(COUNTS, `completed:${id}`, delta.completed).hincrby(COUNTS, `failed:${id}`, delta.failed)
        .hset(COUNTS, { [`last:${id}`]: last }).exec();
      const error = replies.find(([err]) => err);
      if (error) throw error[0];
      flushed = { completed: flushed.completed + delta.completed, failed: flushed.failed + delta.failed };
    } catch (err) {
      if (!w.closing) console.error(`flushing the counts failed (retried): ${err.message}`);
    } finally {
      flushing = false;
    }
  };
  const timer = setInterval(flush, FLUSH_MS);

  const stop = async (signal) => {
    setTimeout(() => { console.error(`not closed 5 s after ${signal}; exiting`); process.exit(1); }, 5000).unref();
    clearInterval(timer);
    await flush(); // best effort: the producers have read what they needed by the time the bench stops us
    await w.close();
    console.log(`bullmq worker ${id}: ${completed} completed, ${failed} failed`);
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await w.waitUntilReady();
  console.log(`bullmq worker ${id}: ready, concurrency ${concurrency}, queue ${PREFIX}:${QUEUE}`);
}

// The workers' totals from our hash: completed and failed summed over every worker that ever ran, and the latest
// completion time of any of them.
async function totals(client) {
  const all = await client.hgetall(COUNTS);
  const t = { completed: 0, failed: 0, last: 0 };
  for (const [field, value] of Object.entries(all)) {
    const [kind] = field.split(':');
    if (kind === 'last') t.last = Math.max(t.last, Number(value));
    else if (kind in t) t[kind] += Number(value);
  }
  return t;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// awaitCompletions: polls our hash until N more jobs than BEFORE completed or failed (or nothing happened for
// STALL_MS), then the grace period; the totals since BEFORE.
async function awaitCompletions(client, before, n) {
  let now = await totals(client), progress = Date.now();
  while (now.completed + now.failed - before.completed - before.failed < n) {
    await sleep(POLL_MS);
    const seen = await totals(client);
    if (seen.completed !== now.completed || seen.failed !== now.failed) progress = Date.now();
    else if (Date.now() - progress > STALL_MS) {
      console.error(`no completion for ${STALL_MS} ms: giving up`);
      break;
    }
    now = seen;
  }
  await sleep(GRACE_MS);
  now = await totals(client);
  return { completed: now.completed - before.completed, failed: now.failed - before.failed, last: now.last };
}

const seconds = (ms) => Math.max(ms, 1) / 1000;
const report = (result, defects) => {
  console.log(Object.entries(result).map(([k, v]) => `${k}=${v}`).join(' '));
  process.exit(defects === 0 ? 0 : 1);
};

async function produce(n, concurrency) {
  // One Queue, so one connection that ioredis pipelines the concurrent adds on: how an application adds jobs.
  const queue = new Queue(QUEUE, { connection, prefix: PREFIX });
  const client = await queue.waitUntilReady();
  const before = await totals(client);

  let next = 0, addFailed = 0;
  const adder = async () => {
    while (next < n) {
      next++; // one thread: no two loops take the same slot
      try {
        await queue.add('noop', {});
      } catch (err) {
        if (addFailed++ === 0) console.error(`queue.add failed: ${err.message}`);
      }
    }
  };
  const start = Date.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, adder));
  const added = Date.now();

  // Wait for every job that was added (a failed add may still have added its job: then completions pass that).
  const done = await awaitCompletions(client, before, n - addFailed);
  await queue.close();
  const missing = Math.max(0, n - addFailed - done.completed - done.failed);
  const duplicated = Math.max(0, done.completed + done.failed - n);
  report({
    jobs_per_s: done.completed > 0 ? Math.round(n / seconds(done.last - start)) : 0,
    add_per_s: Math.round((n - addFailed) / seconds(added - start)),
    add_failed: addFailed, missing, duplicated, failed: done.failed,
  }, addFailed + missing + duplicated + done.failed);
}

// The workers' own rate: with the queue paused they take nothing, so all N jobs wait when it resumes and the
// adds' cost is outside the timing (Tally's side: bench/jobs.sh queues its jobs in one script). addBulk in chunks
// of BULK: one MULTI per chunk. The queue is resumed whatever happens, or the next burst would never complete.
const BULK = 1000;
async function drain(n) {
  const queue = new Queue(QUEUE, { connection, prefix: PREFIX });
  const client = await queue.waitUntilReady();
  const before = await totals(client);
  const filling = Date.now();
  let resumed;
  await queue.pause();
  try {
    for (let from = 0; from < n; from += BULK) {
      await queue.addBulk(Array.from({ length: Math.min(BULK, n - from) }, () => ({ name: 'noop', data: {} })));
    }
  } finally {
    resumed = Date.now();
    await queue.resume();
  }
  const done = await awaitCompletions(client, before, n);
  await queue.close();
  const missing = Math.max(0, n - done.completed - done.failed);
  const duplicated = Math.max(0, done.completed + done.failed - n);
  report({
    jobs_per_s: done.completed > 0 ? Math.round(n / seconds(done.last - resumed)) : 0,
    fill_ms: resumed - filling, missing, duplicated, failed: done.failed,
  }, missing + duplicated + done.failed);
}

if (mode === 'worker' && args.length === 1) await worker(whole(args[0], 'CONCURRENCY'));
else if (mode === 'produce' && args.length === 2) await produce(whole(args[0], 'N'), whole(args[1], 'CONCURRENCY'));
else if (mode === 'drain' && args.length === 1) await drain(whole(args[0], 'N'));
else usage('unknown mode or wrong number of arguments');
