/*
 * ringlm.h — the whole public C ABI of ringlm, a CPU-only LLM inference runtime for edge devices.
 *
 * Objects and ownership
 *   ringlm_model    immutable after open; safe to share between threads (weights are read-only).
 *                   It must outlive every session created from it: ringlm_model_free while a
 *                   session still exists leaves that session pointing at freed memory.
 *   ringlm_session  one conversation: KV cache + activations + sampler state, all inside ONE arena.
 *                   A session is used by one thread at a time; different sessions may run
 *                   concurrently on the same model.
 *
 * Memory
 *   ringlm_session_plan() returns the exact number of bytes a session needs. The caller may pass a
 *   buffer of at least that size (firmware: a static array) or let the library allocate it once.
 *   After ringlm_session_create() returns, no ringlm call made on that session touches the heap.
 *   The session arena is laid out as:
 *
 *     [ session header | KV ring: per layer K and V [n_ctx][n_kv_heads][head_dim] (+ int8 scales)
 *       + positions | activations for n_batch tokens | logits | sampler scratch ]
 *
 * Threads
 *   A model may be used by any number of sessions on any threads at once. A session must not be
 *   used by two threads at the same time; it may move between threads between calls.
 *
 * Errors
 *   Every fallible call returns a ringlm_status. RINGLM_OK is 0; errors are grouped in ranges and
 *   never renumbered. ringlm_status_string() names a code; ringlm_last_error_message() gives the
 *   calling thread's most recent error message with details (file offsets, tensor names, sizes).
 *   The library never aborts or throws on bad input.
 *
 * Params structs start with struct_size and must be initialised with their *_params_init()
 * function; a field left 0 means "the model's default". Requested values are never silently
 * changed: an impossible request is rejected with RINGLM_ERR_INVALID_ARGUMENT.
 *
 * Versions of a struct (struct_size)
 *   Structs only grow, at their end. A params struct from an older ringlm (a smaller struct_size
 *   that was once sizeof of it) is accepted, the fields it lacks taking their init values; one
 *   from a newer ringlm (larger) is accepted when every byte this version does not know is 0 and
 *   rejected otherwise. Output structs (info, stats): set struct_size to sizeof before the call;
 *   the library writes only the fields that fit and sets struct_size to the bytes written. For
 *   ringlm_model_info, which callers before 0.4 did not size, a struct_size that is no size it
 *   ever had gets the 0.3 layout; a too small ringlm_session_stats is rejected.
 *
 * Model files
 *   A mapped model file (the default for a path) must not change while the model is open:
 *   truncating it makes the next access fault (SIGBUS), rewriting it changes the weights under
 *   running sessions. Open files that may change with load_mode = RINGLM_LOAD_READ (a private copy).
 */
#ifndef RINGLM_H
#define RINGLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define RINGLM_API
#else
#define RINGLM_API __attribute__((visibility("default")))
#endif

#define RINGLM_VERSION_MAJOR 0
#define RINGLM_VERSION_MINOR 5
#define RINGLM_VERSION_PATCH 0
/* Bumped whenever a struct layout, a signature or a status number changes incompatibly. */
#define RINGLM_ABI_VERSION 1

/* ---- status codes ------------------------------------------------------------------------ */
typedef int32_t ringlm_status;
enum {
  RINGLM_OK = 0,
  /* 100-199: the caller's request */
  RINGLM_ERR_INVALID_ARGUMENT = 100, /* null pointer, out-of-range value, bad params struct  */
  RINGLM_ERR_BUFFER_TOO_SMALL = 101, /* an output buffer's capacity is too small             */
  RINGLM_ERR_ARENA_TOO_SMALL = 102,  /* the caller's arena is smaller than the plan          */
  RINGLM_ERR_CONTEXT_FULL = 103,     /* the KV cache has no room for more tokens             */
  RINGLM_ERR_INVALID_TOKEN = 104,    /* a token id outside [0, n_vocab)                      */
  RINGLM_ERR_INVALID_STATE = 105,    /* call out of order (e.g. sample before any logits)    */
  RINGLM_ERR_ABORTED = 106,          /* the session's abort callback stopped the call (0.4)  */
  /* 200-299: files and I/O */
  RINGLM_ERR_IO = 200,               /* a read or map failed                                 */
  RINGLM_ERR_FILE_NOT_FOUND = 201,
  /* 300-399: model and tokenizer content */
  RINGLM_ERR_BAD_FORMAT = 300,       /* bad magic, malformed header or metadata              */
  RINGLM_ERR_TRUNCATED = 301,        /* the file ends before the data it declares            */
  RINGLM_ERR_BAD_DIMENSIONS = 302,   /* zero/negative/inconsistent hyperparameters           */
  RINGLM_ERR_UNSUPPORTED = 303,      /* a valid file using a feature ringlm does not have    */
  RINGLM_ERR_VOCAB_MISMATCH = 304,   /* tokenizer and model disagree on the vocabulary       */
  /* 400-499: resources */
  RINGLM_ERR_OUT_OF_MEMORY = 400,
  /* 900-999: bugs */
  RINGLM_ERR_INTERNAL = 900
};

/* Stable name of a status code, e.g. "RINGLM_ERR_ARENA_TOO_SMALL"; never NULL. */
RINGLM_API const char *ringlm_status_string(ringlm_status status);
/* The calling thread's last error message ("" if none). Valid until the thread's next ringlm call. */
RINGLM_API const char *ringlm_last_error_message(void);

RINGLM_API const char *ringlm_version(void); /* "MAJOR.MINOR.PATCH" */
/* The kernel set chosen for this CPU ("scalar", "avx2", ...); RINGLM_SIMD in the environment
 * forces one, RINGLM_GEMM (blas|bf16|f32|int8) the GEMM prefill uses (both read once, at the first call
 * that needs kernels). */
RINGLM_API const char *ringlm_kernel_name(void);
/* NULL, or why RINGLM_SIMD, RINGLM_GEMM, RINGLM_PREFETCH or RINGLM_QUANT_STREAMS was not honoured
 * (the first such; an unknown name or value, or a kernel set or GEMM this CPU or build lacks): the
 * defaults are in use then. Static text; since 0.3. */
RINGLM_API const char *ringlm_kernel_warning(void);
RINGLM_API uint32_t ringlm_abi_version(void);

/* ---- model --------------------------------------------------------------------------------- */
typedef struct ringlm_model ringlm_model;

/* How a model file is brought into memory. */
typedef int32_t ringlm_load_mode;
enum {
  RINGLM_LOAD_MAP = 0, /* memory-map it: weights never copied, pages shared between processes */
  RINGLM_LOAD_READ = 1 /* read it once into private memory (huge pages where the OS has them):
                          a copy, but decode streams it at memory speed even where the OS
                          serves large file mappings slowly (seen on virtual machines)       */
};

typedef struct ringlm_model_params {
  size_t struct_size;         /* sizeof(ringlm_model_params), set by ringlm_model_params_init     */
  /* Either a file ... */
  const char *path;           /* GGUF (v2/v3) or llama2.c checkpoint; memory-mapped by default,
                                 weights are never copied (see load_mode)                          */
  const char *tokenizer_path; /* llama2.c only (GGUF carries its tokenizer: must be NULL);
                                 NULL = "tokenizer.bin" beside the model                           */
  /* ... or memory the caller keeps alive until ringlm_model_free (firmware: weights in flash). */
  const void *data;           /* model bytes (GGUF or llama2.c); 32-byte aligned recommended      */
  size_t data_size;
  const void *tokenizer_data; /* llama2.c tokenizer bytes (NULL for GGUF)                         */
  size_t tokenizer_data_size;
  /* Added in 0.2; a struct_size that ends before it (0.1 callers) means RINGLM_LOAD_MAP. */
  ringlm_load_mode load_mode; /* for a path; init: RINGLM_LOAD_MAP. Memory given in `data` is
                                 always used in place (another mode is refused)                    */
  /* Added in 0.5; a struct_size that ends before it (0.4 callers on 32-bit targets) means false.
   * On 64-bit targets the 0.4 struct had the same size, the field lying in padding that
   * ringlm_model_params_init zeroed. */
  bool vocab_only;            /* open only the tokenizer and its metadata, whatever the model's
                                 architecture (vocabulary-only GGUF files included); weights are
                                 neither checked nor kept. Tokenize, detokenize and get_info work;
                                 sessions are refused with RINGLM_ERR_INVALID_ARGUMENT. init: false */
} ringlm_model_params;

RINGLM_API void ringlm_model_params_init(ringlm_model_params *params);
RINGLM_API ringlm_status ringlm_model_open(const ringlm_model_params *params, ringlm_model **out_model);
RINGLM_API void ringlm_model_free(ringlm_model *model);

typedef struct ringlm_model_info {
  size_t struct_size;
  int32_t n_vocab;
  int32_t n_ctx_train; /* context length the model was trained with */
  int32_t n_embd;
  int32_t n_layer;
  int32_t n_head;
  int32_t n_head_kv;
  int32_t head_dim;
  int32_t n_ff;
  int32_t bos_token; /* -1 if none */
  int32_t eos_token; /* -1 if none */
  uint64_t n_params;
  uint64_t weight_bytes;
  /* Added in 0.4. Whether text for this model starts with BOS / ends with EOS: the GGUF file's
   * tokenizer.ggml.add_bos_token / add_eos_token, else the tokenizer's default (SentencePiece
   * vocabularies and llama-3 style BPE: BOS; GPT-2 style BPE: none; never EOS). */
  bool add_bos;
  bool add_eos;
} ringlm_model_info;
/* A model opened with vocab_only reports n_vocab, bos_token, eos_token, add_bos and add_eos; the
 * other fields are 0. */

/* Set out_info->struct_size = sizeof(ringlm_model_info) first (see "Versions of a struct"). */
RINGLM_API ringlm_status ringlm_model_get_info(const ringlm_model *model, ringlm_model_info *out_info);

/* ---- tokenizer ----------------------------------------------------------------------------- */
/* Encode UTF-8 text. add_bos prepends the model's BOS token. Writes at most `capacity` ids; if
 * more are needed returns RINGLM_ERR_BUFFER_TOO_SMALL with *n_tokens set to the count needed.
 * Tokenizing allocates temporary memory proportional to the text (it is not part of a session). */
RINGLM_API ringlm_status ringlm_tokenize(const ringlm_model *model, const char *text, size_t text_len,
                                         bool add_bos, int32_t *tokens, size_t capacity, size_t *n_tokens);

/* As ringlm_tokenize, and control tokens written in the text ("<|im_start|>", "</s>", "<s>") become
 * their ids instead of being spelled out: for chat prompts rendered by ringlm_chat_apply_template.
 * Only for text the application writes; a user's text tokenized this way could inject turns (0.5). */
RINGLM_API ringlm_status ringlm_tokenize_special(const ringlm_model *model, const char *text, size_t text_len,
                                                 bool add_bos, int32_t *tokens, size_t capacity, size_t *n_tokens);

/* The bytes `token` stands for when it follows `prev_token` (-1 if none), e.g. the leading space
 * of a piece right after BOS is dropped. Output is raw bytes (not NUL-terminated) and may be part
 * of a UTF-8 sequence. On RINGLM_ERR_BUFFER_TOO_SMALL, *written holds the size needed. */
RINGLM_API ringlm_status ringlm_token_to_piece(const ringlm_model *model, int32_t prev_token, int32_t token,
                                               char *buf, size_t capacity, size_t *written);

/* Concatenated pieces of `tokens` (BOS/EOS produce no text). Same buffer contract as above. */
RINGLM_API ringlm_status ringlm_detokenize(const ringlm_model *model, const int32_t *tokens, size_t n_tokens,
                                           char *buf, size_t capacity, size_t *written);

/* ---- chat templates (0.5) ------------------------------------------------------------------- */
/* ringlm recognises the common chat formats by the markers in a GGUF file's tokenizer.chat_template
 * (it does not execute the Jinja text) and renders conversations with its own code. Families:
 * "chatml" (also "qwen2"), "llama2", "llama3", "mistral", "phi3", "zephyr", "gemma". The rendered
 * text never starts with BOS (tokenize it with the model's add_bos); markers between turns are text. */
typedef struct ringlm_chat_message {
  const char *role;    /* "system", "user" or "assistant" */
  const char *content; /* UTF-8, NUL-terminated */
} ringlm_chat_message;

/* "chatml, llama2, llama3, mistral, phi3, zephyr, gemma" (static). */
RINGLM_API const char *ringlm_chat_template_names(void);
/* The family of a template text: *out_name is a static family name. A text with no known family's
 * markers is RINGLM_ERR_UNSUPPORTED (the message names the known families), never a guess. */
RINGLM_API ringlm_status ringlm_chat_template_detect(const char *template_text, size_t text_len, const char **out_name);
/* The family of the model's tokenizer.chat_template; RINGLM_ERR_UNSUPPORTED when the model has
 * none (llama2.c checkpoints never do) or one that is not recognised. */
RINGLM_API ringlm_status ringlm_model_chat_template(const ringlm_model *model, const char **out_name);
/* Render `messages` in the family `template_name` (a name above; an unknown one is
 * RINGLM_ERR_INVALID_ARGUMENT naming the known ones). add_assistant ends the text with the opening
 * of an assistant reply. Roles other than system/user/assistant are RINGLM_ERR_INVALID_ARGUMENT, as
 * is a system message after the first in llama2, mistral and gemma (they fold it into the first
 * user turn). Writes at most `capacity` bytes (no NUL); RINGLM_ERR_BUFFER_TOO_SMALL sets *written to
 * the size needed. */
RINGLM_API ringlm_status ringlm_chat_apply_template(const char *template_name, const ringlm_chat_message *messages,
                                                    size_t n_messages, bool add_assistant, char *buf,
                                                    size_t capacity, size_t *written);

/* ---- session ------------------------------------------------------------------------------- */
typedef struct ringlm_session ringlm_session;

/* KV cache element types. int8 stores one f32 scale per token and head. */
typedef int32_t ringlm_kv_type;
enum { RINGLM_KV_F32 = 0, RINGLM_KV_BF16 = 1, RINGLM_KV_INT8 = 2 };

typedef struct ringlm_session_params {
  size_t struct_size;
  uint32_t n_ctx;     /* tokens the KV cache holds (sinks + window when streaming);
                         0 = the model's training context                               */
  uint32_t n_batch;   /* max tokens per forward pass (activation size); 0 = min(n_ctx, 64) */
  bool recompute;     /* no-cache mode: every step recomputes all positions (oracle, bench) */
  bool streaming;     /* when the context is full, evict the oldest non-sink token instead
                         of failing with RINGLM_ERR_CONTEXT_FULL: generation never ends   */
  uint32_t n_sinks;   /* streaming: first tokens kept forever (attention sinks); init: 4   */
  ringlm_kv_type kv_type; /* KV cache element type; init: RINGLM_KV_F32                  */
  bool logits_all;    /* keep logits of every token of the last call (for perplexity);
                         then a prefill call takes at most n_batch tokens                 */
  uint32_t n_threads; /* threads working on this session, the caller's included; 0 = 1.
                         Workers start at create and persist; results are bit-identical at
                         any thread count. A RINGLM_SINGLE_THREADED build takes only 0 or 1 */
  /* sampling */
  float temperature;  /* 0 = greedy (argmax)                                                */
  int32_t top_k;      /* 0 = no top-k cut                                                   */
  float top_p;        /* in (0, 1]; 1 = no nucleus cut                                      */
  uint64_t seed;      /* same seed + same inputs = same tokens                              */
  /* penalties over the recent tokens (prompt included) and min-p (0.5; a 0.4-sized struct gets the
   * init values, which turn them off). The penalty history is not part of snapshots. */
  float repeat_penalty;    /* > 0; a recent token's logit is divided (> 0) or multiplied by it;
                              init 1 (off)                                                  */
  int32_t repeat_last_n;   /* recent tokens penalised, at most n_ctx; 0 = none, -1 = n_ctx;
                              init 64                                                       */
  float presence_penalty;  /* subtracted once from a recent token's logit; init 0            */
  float frequency_penalty; /* subtracted per occurrence among the recent tokens; init 0      */
  float min_p;             /* in [0, 1]: drop tokens below min_p x the top probability; init 0 */
} ringlm_session_params;

RINGLM_API void ringlm_session_params_init(ringlm_session_params *params);

/* Exact arena bytes a session with these params needs (64-byte aligned buffer expected). */
RINGLM_API ringlm_status ringlm_session_plan(const ringlm_model *model, const ringlm_session_params *params,
                                             size_t *out_bytes);

/* Create a session. arena == NULL: the library allocates the planned size once (freed by
 * ringlm_session_free). Otherwise the session lives entirely in [arena, arena + arena_size), which
 * must be 64-byte aligned and stay valid until ringlm_session_free; if arena_size is below the
 * plan, returns RINGLM_ERR_ARENA_TOO_SMALL, writes nothing to the arena, and sets *out_session to
 * NULL (the message names the bytes needed; ringlm_session_plan gives them as a number). */
RINGLM_API ringlm_status ringlm_session_create(const ringlm_model *model, const ringlm_session_params *params,
                                               void *arena, size_t arena_size, ringlm_session **out_session);
RINGLM_API void ringlm_session_free(ringlm_session *session);

/* Bytes of the arena actually laid out (equals the plan). */
RINGLM_API size_t ringlm_session_arena_used(const ringlm_session *session);
/* Tokens currently in the context (positions consumed). */
RINGLM_API size_t ringlm_session_n_past(const ringlm_session *session);
/* Forget all tokens and the statistics; the arena is reused as is. */
RINGLM_API ringlm_status ringlm_session_reset(ringlm_session *session);

/* Append tokens to the context and compute the logits after the last one. */
RINGLM_API ringlm_status ringlm_session_prefill(ringlm_session *session, const int32_t *tokens, size_t n_tokens);
/* Append one token (a decode step): computes Q/K/V for it only and attends over the cache. */
RINGLM_API ringlm_status ringlm_session_decode(ringlm_session *session, int32_t token);
/* Logits after the last appended token; valid until the next call on the session. */
RINGLM_API ringlm_status ringlm_session_logits(const ringlm_session *session, const float **logits, size_t *n_vocab);
/* With logits_all: logits after token i (0-based) of the last prefill/decode call. */
RINGLM_API ringlm_status ringlm_session_logits_ith(const ringlm_session *session, size_t i, const float **logits);
/* Pick the next token from the current logits with the session's sampling params. */
RINGLM_API ringlm_status ringlm_session_sample(ringlm_session *session, int32_t *out_token);

/* Sampling settings, changeable after create (0.4). The same fields and rules as in
 * ringlm_session_params. */
typedef struct ringlm_sampling_params {
  size_t struct_size;
  float temperature; /* 0 = greedy; init 0.8  */
  int32_t top_k;     /* 0 = off; init 40       */
  float top_p;       /* in (0, 1]; init 0.95   */
  uint64_t seed;     /* init 42                */
  /* 0.5, as in ringlm_session_params (a 0.4-sized struct gets the init values: off) */
  float repeat_penalty;    /* init 1   */
  int32_t repeat_last_n;   /* init 64  */
  float presence_penalty;  /* init 0   */
  float frequency_penalty; /* init 0   */
  float min_p;             /* init 0   */
} ringlm_sampling_params;
RINGLM_API void ringlm_sampling_params_init(ringlm_sampling_params *params);
/* Replaces the session's sampling settings and reseeds its RNG with params->seed. An invalid
 * value is rejected and the session keeps its settings. */
RINGLM_API ringlm_status ringlm_session_set_sampling(ringlm_session *session, const ringlm_sampling_params *params);

/* Asked between the layers of every forward pass (prefill, decode, generate); returning true stops
 * the call with RINGLM_ERR_ABORTED (0.4). The context then holds every token of the n_batch chunks
 * completed before the stop, and none of the stopped chunk's: in a streaming session whose window
 * was full, the oldest window tokens that chunk had begun to overwrite are gone too. The logits
 * are those of the last completed chunk (none after a stopped first chunk, nor in recompute mode).
 * callback NULL turns it off. The callback runs on the calling thread and must not call ringlm. */
typedef bool (*ringlm_abort_callback)(void *user_data);
RINGLM_API ringlm_status ringlm_session_set_abort_callback(ringlm_session *session, ringlm_abort_callback callback,
                                                           void *user_data);

/* What the session did since it was created or reset (0.4). Prefill: calls with more than one
 * token; decode: one-token calls (generate decodes one token a step). */
typedef struct ringlm_session_stats {
  size_t struct_size;
  uint64_t n_prefill_tokens;
  uint64_t prefill_ns;
  uint64_t n_decode_tokens;
  uint64_t decode_ns;
  uint64_t first_token_ns; /* from the start of the first prefill/decode to the end of the first
                              sample (time to first token); 0 until a token was sampled       */
  uint64_t n_sampled;
  uint64_t sample_ns;
} ringlm_session_stats;
/* Set out_stats->struct_size = sizeof(ringlm_session_stats) first. */
RINGLM_API ringlm_status ringlm_session_get_stats(const ringlm_session *session, ringlm_session_stats *out_stats);

/* Called for each generated token with its text piece. Return false to stop generating: the token
 * was handed out but not decoded, so the context holds the prompt and the tokens before it. */
typedef bool (*ringlm_token_callback)(void *user_data, int32_t token, const char *piece, size_t piece_len);

/* Prefill `prompt`, then sample and decode up to max_tokens new tokens, stopping early at an
 * end-of-sequence token or when the callback returns false. *n_generated counts the tokens
 * handed to the callback. The context must hold the prompt plus the generated tokens. */
RINGLM_API ringlm_status ringlm_session_generate(ringlm_session *session, const int32_t *prompt, size_t n_prompt,
                                                 size_t max_tokens, ringlm_token_callback callback,
                                                 void *user_data, size_t *n_generated);

/* ---- snapshots ----------------------------------------------------------------------------- */
/* A snapshot holds the KV cache, position, current logits and sampler RNG: a session restored
 * from it continues exactly as the original would (prompt caching: prefill a shared system prompt
 * once, save, restore into many sessions). It can be loaded into any session of the same model
 * created with the same n_ctx, streaming/sinks, kv_type and recompute settings, and the same
 * weights (a snapshot carries a fingerprint of them, computed once per model at its first
 * snapshot: that call reads every weight).
 * Loading checks everything before the session changes, and a refused snapshot leaves it as it
 * was: RINGLM_ERR_BAD_FORMAT for a bad magic or a value a session cannot hold (slots in use past
 * the ring, n_past past a plain session's n_ctx, a position outside the slot rule, NaN logits,
 * non-finite int8 scales, token ids outside the vocabulary), RINGLM_ERR_UNSUPPORTED for another
 * format version, RINGLM_ERR_INVALID_ARGUMENT for another model, other weights or another cache
 * layout, RINGLM_ERR_TRUNCATED for a short one. The file functions write a temporary file beside
 * `path` and rename it over `path` (a failed save leaves the old file as it was; a symlink is
 * written through), and read a file whole into private pages before checking it; their messages
 * name the system's reason. Saving and loading a buffer never allocate. */
RINGLM_API ringlm_status ringlm_session_state_size(const ringlm_session *session, size_t *bytes);
RINGLM_API ringlm_status ringlm_session_state_save(const ringlm_session *session, void *buf, size_t capacity,
                                                   size_t *written);
RINGLM_API ringlm_status ringlm_session_state_load(ringlm_session *session, const void *buf, size_t size);
RINGLM_API ringlm_status ringlm_session_state_save_file(const ringlm_session *session, const char *path);
RINGLM_API ringlm_status ringlm_session_state_load_file(ringlm_session *session, const char *path);
/* A new session (same model and params, in `arena` as for ringlm_session_create) that continues
 * from where `source` stands. */
RINGLM_API ringlm_status ringlm_session_fork(const ringlm_session *source, void *arena, size_t arena_size,
                                             ringlm_session **out_session);

#ifdef __cplusplus
}
#endif

#endif /* RINGLM_H */
