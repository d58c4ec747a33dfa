/**
 * How long DuckDB's allocator keeps freed memory before giving it back to the system, for the
 * command-line runs that build a warehouse on this machine (`npm start`, the replay, the bench).
 *
 * On Linux DuckDB allocates through its own jemalloc, which returns a freed page to the system
 * after DuckDB's decay (`dirty_decay_ms`, 1 s in the bundled build); the next allocation that
 * reuses the range faults it in again. Between the stages of a run (the lake write's buffers
 * freed, the load's allocated a moment later) that is hundreds of thousands of page faults, and
 * a fault costs the kernel about 10 µs on a small virtual machine. Keeping freed pages for 3 s:
 * - `npm start` took 16.47-17.03 s against 17.18-18.25 s (three alternating runs each), with
 *   25-50k fewer minor faults;
 * - at ten times the users it took 144 s against 154 s, and the process tree's peak grew from
 *   792 MiB to 879 MiB (still under the 1 GiB it must stay within). 10 s peaked at 976 MiB and
 *   never giving memory back at 1,640 MiB, so 3 s is the longest kept.
 *
 * jemalloc reads its options from the environment variable named after its prefix
 * (`DUCKDB_JE_MALLOC_CONF`, over the options DuckDB compiles in: see DuckDB's
 * `extension/jemalloc/jemalloc/README.md`, and jemalloc's manual on `MALLOC_CONF`) once, when the
 * DuckDB library loads. So this module sets it at import, and each of those commands imports it
 * before any module that loads DuckDB (a test checks the order). A value already in the
 * environment is the user's and is kept. The Cloud Functions do not import it: they run in
 * instances sized for their memory, where giving memory back early is the safer choice.
 */
export const DUCKDB_ALLOCATOR_CONF = "dirty_decay_ms:3000";

/** The environment variable DuckDB's jemalloc reads its options from. */
export const DUCKDB_ALLOCATOR_ENV = "DUCKDB_JE_MALLOC_CONF";

process.env[DUCKDB_ALLOCATOR_ENV] ??= DUCKDB_ALLOCATOR_CONF;
