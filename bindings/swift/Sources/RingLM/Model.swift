// Model: a loaded model (weights and tokenizer), immutable and shareable across threads
// (ringlm.h). Freed when the last reference goes, which sessions hold.
import CRingLM

public final class Model: @unchecked Sendable {
    let raw: OpaquePointer
    private let bytes: [UInt8]?  // the model's bytes when opened from memory: kept alive with it

    /// Opens a GGUF file or a llama2.c checkpoint (then `tokenizer` names its tokenizer file).
    /// `readIntoMemory` reads it into private memory instead of mapping it (RINGLM_LOAD_READ).
    public init(path: String, tokenizer: String? = nil, readIntoMemory: Bool = false) throws {
        var params = ringlm_model_params()
        ringlm_model_params_init(&params)
        params.load_mode = readIntoMemory ? ringlm_load_mode(RINGLM_LOAD_READ) : ringlm_load_mode(RINGLM_LOAD_MAP)
        var model: OpaquePointer?
        let status = path.withCString { p in
            withOptionalCString(tokenizer) { t in
                params.path = p
                params.tokenizer_path = t
                return ringlm_model_open(&params, &model)
            }
        }
        try check(status)
        raw = model!
        bytes = nil
    }

    /// Opens a GGUF model from its bytes (kept by the Model for as long as it lives).
    public init(gguf: [UInt8]) throws {
        var params = ringlm_model_params()
        ringlm_model_params_init(&params)
        var model: OpaquePointer?
        let status = gguf.withUnsafeBytes { buf in
            params.data = buf.baseAddress
            params.data_size = buf.count
            return ringlm_model_open(&params, &model)
        }
        try check(status)
        raw = model!
        bytes = gguf
    }

    deinit { ringlm_model_free(raw) }

    public struct Info: Equatable, Sendable {
        public let vocabularySize: Int
        public let trainingContext: Int
        public let layers: Int
        public let embeddingSize: Int
        public let bosToken: Int32?
        public let eosToken: Int32?
        public let parameters: UInt64
        /// Whether prompts start with BOS (the file's add_bos_token, else the tokenizer's default).
        public let addsBOS: Bool
    }

    public var info: Info {
        var i = ringlm_model_info()
        i.struct_size = MemoryLayout<ringlm_model_info>.size
        _ = ringlm_model_get_info(raw, &i)
        return Info(vocabularySize: Int(i.n_vocab), trainingContext: Int(i.n_ctx_train), layers: Int(i.n_layer),
                    embeddingSize: Int(i.n_embd), bosToken: i.bos_token >= 0 ? i.bos_token : nil,
                    eosToken: i.eos_token >= 0 ? i.eos_token : nil, parameters: i.n_params, addsBOS: i.add_bos)
    }

    /// Token ids of UTF-8 text; BOS first when `addBOS` (default: as the model wants).
    public func tokenize(_ text: String, addBOS: Bool? = nil) throws -> [Int32] {
        let bos = addBOS ?? info.addsBOS
        var utf8 = Array(text.utf8)
        utf8.append(0)
        var tokens = [Int32](repeating: 0, count: utf8.count + 8)
        var n = 0
        var status = tokenize(utf8, bos, &tokens, &n)
        if status == Int32(RINGLM_ERR_BUFFER_TOO_SMALL) {  // retried with the size the library asks for
            tokens = [Int32](repeating: 0, count: n)
            status = tokenize(utf8, bos, &tokens, &n)
        }
        try check(status)
        return Array(tokens.prefix(n))
    }

    private func tokenize(_ utf8: [UInt8], _ bos: Bool, _ tokens: inout [Int32], _ n: inout Int) -> ringlm_status {
        let capacity = tokens.count
        return utf8.withUnsafeBufferPointer { text in
            text.baseAddress!.withMemoryRebound(to: CChar.self, capacity: utf8.count) { chars in
                ringlm_tokenize(raw, chars, utf8.count - 1, bos, &tokens, capacity, &n)
            }
        }
    }

    /// The text of `tokens` (BOS and EOS give none); invalid UTF-8 is repaired.
    public func detokenize(_ tokens: [Int32]) throws -> String {
        var buf = [CChar](repeating: 0, count: tokens.count * 8 + 16)
        var written = 0
        var status = ringlm_detokenize(raw, tokens, tokens.count, &buf, buf.count, &written)
        if status == Int32(RINGLM_ERR_BUFFER_TOO_SMALL) {
            buf = [CChar](repeating: 0, count: written)
            status = ringlm_detokenize(raw, tokens, tokens.count, &buf, buf.count, &written)
        }
        try check(status)
        return String(decoding: buf.prefix(written).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s = s else { return body(nil) }
    return s.withCString { body($0) }
}
