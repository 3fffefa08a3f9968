// Session: one conversation (KV cache, activations, sampler) in one arena planned before the first
// token. It keeps its Model alive, since a model must outlive its sessions (ringlm.h). A session is
// used by one thread at a time; it may move between threads between calls.
import CRingLM

public struct SessionOptions: Sendable {
    /// Tokens the KV cache holds; 0 = the model's training context.
    public var contextSize: UInt32 = 0
    /// 0 = greedy.
    public var temperature: Float = 0.8
    public var topK: Int32 = 40
    public var topP: Float = 0.95
    public var seed: UInt64 = 42
    /// Stream forever: evict the oldest tokens, keeping `sinks` first ones.
    public var streaming = false
    public var sinks: UInt32 = 4
    public var threads: UInt32 = 1

    public init() {}

    /// Argmax sampling: the same text on every run.
    public static var greedy: SessionOptions {
        var o = SessionOptions()
        o.temperature = 0
        return o
    }
}

public final class Session: @unchecked Sendable {
    public let model: Model
    let raw: OpaquePointer

    public init(model: Model, options: SessionOptions = SessionOptions()) throws {
        var params = ringlm_session_params()
        ringlm_session_params_init(&params)
        params.n_ctx = options.contextSize
        params.temperature = options.temperature
        params.top_k = options.topK
        params.top_p = options.topP
        params.seed = options.seed
        params.streaming = options.streaming
        params.n_sinks = options.streaming ? options.sinks : 0
        params.n_threads = options.threads
        var session: OpaquePointer?
        try check(ringlm_session_create(model.raw, &params, nil, 0, &session))
        self.model = model
        raw = session!
    }

    deinit { ringlm_session_free(raw) }

    /// Tokens in the context.
    public var position: Int { ringlm_session_n_past(raw) }

    /// Forgets every token.
    public func reset() throws { try check(ringlm_session_reset(raw)) }

    /// Switches the sampling settings and reseeds the random generator.
    public func setSampling(temperature: Float, topK: Int32 = 40, topP: Float = 0.95, seed: UInt64 = 42) throws {
        var p = ringlm_sampling_params()
        ringlm_sampling_params_init(&p)
        p.temperature = temperature
        p.top_k = topK
        p.top_p = topP
        p.seed = seed
        try check(ringlm_session_set_sampling(raw, &p))
    }

    /// Prefills `prompt`, then generates up to `maxTokens` tokens, handing each token's text to
    /// `onPiece` until it returns false or the model ends the text. Returns the tokens generated.
    @discardableResult
    public func generate(prompt: [Int32], maxTokens: Int, onPiece: (String) -> Bool) throws -> Int {
        final class Box {
            let onPiece: (String) -> Bool
            var pending: [UInt8] = []  // bytes of a UTF-8 sequence a piece left unfinished
            init(_ f: @escaping (String) -> Bool) { onPiece = f }
        }
        return try withoutActuallyEscaping(onPiece) { f in
            let box = Box(f)
            let user = Unmanaged.passUnretained(box).toOpaque()
            var generated = 0
            let status = ringlm_session_generate(raw, prompt, prompt.count, maxTokens, { user, _, piece, len in
                let box = Unmanaged<Box>.fromOpaque(user!).takeUnretainedValue()
                let bytes = UnsafeRawBufferPointer(start: piece, count: len)
                box.pending.append(contentsOf: bytes)
                let complete = completeUTF8Prefix(box.pending)
                let text = String(decoding: box.pending.prefix(complete), as: UTF8.self)
                box.pending.removeFirst(complete)
                return text.isEmpty ? true : box.onPiece(text)
            }, user, &generated)
            try check(status)
            return generated
        }
    }

    /// The text of `prompt`'s continuation, piece by piece (same as generate, as a stream). The
    /// stream finishes with the error if generation fails.
    public func pieces(prompt: [Int32], maxTokens: Int) -> AsyncThrowingStream<String, Error> {
        AsyncThrowingStream { continuation in
            do {
                try self.generate(prompt: prompt, maxTokens: maxTokens) { piece in
                    continuation.yield(piece)
                    return true
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    /// The session's state as bytes (KV cache, position, logits, sampler), and back.
    public func saveState() throws -> [UInt8] {
        var size = 0
        try check(ringlm_session_state_size(raw, &size))
        var bytes = [UInt8](repeating: 0, count: size)
        var written = 0
        try check(ringlm_session_state_save(raw, &bytes, size, &written))
        return bytes
    }

    public func loadState(_ bytes: [UInt8]) throws {
        try check(ringlm_session_state_load(raw, bytes, bytes.count))
    }
}

/// How many leading bytes form whole UTF-8 sequences (a piece may end inside one).
func completeUTF8Prefix(_ bytes: [UInt8]) -> Int {
    var i = bytes.count
    var back = 0
    while i > 0 && back < 4 {
        let b = bytes[i - 1]
        if b & 0xC0 != 0x80 {  // a lead byte (or ASCII): is its sequence complete?
            let need = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            return back + 1 >= need ? bytes.count : i - 1
        }
        i -= 1
        back += 1
    }
    return bytes.count
}
