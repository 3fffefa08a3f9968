// Errors: a ringlm status with its stable name and the library's message for that failure.
import CRingLM

public struct RingLMError: Error, CustomStringConvertible, Equatable {
    /// The ringlm_status code (e.g. RINGLM_ERR_FILE_NOT_FOUND = 201).
    public let status: Int32
    /// The status's name, e.g. "RINGLM_ERR_FILE_NOT_FOUND".
    public let name: String
    /// What the library said about this failure.
    public let message: String

    init(status: ringlm_status, message: String? = nil) {
        self.status = status
        self.name = String(cString: ringlm_status_string(status))
        self.message = message ?? String(cString: ringlm_last_error_message())
    }

    public var description: String { "\(name): \(message)" }
}

/// Throws the calling thread's last error when `status` is not RINGLM_OK.
func check(_ status: ringlm_status) throws {
    if status != Int32(RINGLM_OK) { throw RingLMError(status: status) }
}
