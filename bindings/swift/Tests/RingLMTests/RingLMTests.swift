// The Swift bindings against the library: the golden text of tests/consumers/golden.txt, errors,
// tokenizer round trips, early stops, the async stream, snapshots and lifetimes.
import Foundation
import XCTest

@testable import RingLM

final class RingLMTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = ProcessInfo.processInfo.environment["RINGLM_SHARED_DIR"]
        .map { URL(fileURLWithPath: $0) } ?? root.deletingLastPathComponent().appendingPathComponent("shared")
    static let modelPath = shared.appendingPathComponent("models/stories260K.gguf").path

    func openModel() throws -> Model {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Self.modelPath), "no \(Self.modelPath): set RINGLM_SHARED_DIR")
        return try Model(path: Self.modelPath)
    }

    func golden() throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent("tests/consumers/golden.txt"), encoding: .utf8)
    }

    func testGreedyTextIsTheGolden() throws {
        let model = try openModel()
        let session = try Session(model: model, options: .greedy)
        var text = "Once upon a time"
        let n = try session.generate(prompt: try model.tokenize("Once upon a time"), maxTokens: 40) { piece in
            text += piece
            return true
        }
        XCTAssertEqual(n, 40)
        XCTAssertGreaterThanOrEqual(text.utf8.count, 100)
        XCTAssertTrue(try golden().hasPrefix(text), "not a prefix of the golden text:\n\(text)")
    }

    func testTheStreamYieldsTheSameText() async throws {
        let model = try openModel()
        let prompt = try model.tokenize("Once upon a time")
        var byCallback = ""
        try Session(model: model, options: .greedy).generate(prompt: prompt, maxTokens: 30) { byCallback += $0; return true }
        var byStream = ""
        for try await piece in try Session(model: model, options: .greedy).pieces(prompt: prompt, maxTokens: 30) {
            byStream += piece
        }
        XCTAssertEqual(byStream, byCallback)
        XCTAssertFalse(byStream.isEmpty)
    }

    func testAMissingFileIsAnErrorWithStatusAndMessage() {
        XCTAssertThrowsError(try Model(path: "/nonexistent/model.gguf")) { error in
            guard let e = error as? RingLMError else { return XCTFail("not a RingLMError: \(error)") }
            XCTAssertEqual(e.status, 201)
            XCTAssertEqual(e.name, "RINGLM_ERR_FILE_NOT_FOUND")
            XCTAssertTrue(e.message.contains("/nonexistent/model.gguf"), e.message)
        }
        XCTAssertThrowsError(try Model(gguf: [1, 2, 3, 4])) { error in
            XCTAssertNotEqual((error as? RingLMError)?.status, 0)
        }
    }

    func testBadParametersAreRefused() throws {
        let model = try openModel()
        var options = SessionOptions()
        options.topP = 0
        XCTAssertThrowsError(try Session(model: model, options: options)) { error in
            XCTAssertEqual((error as? RingLMError)?.name, "RINGLM_ERR_INVALID_ARGUMENT")
        }
        let session = try Session(model: model)
        XCTAssertThrowsError(try session.setSampling(temperature: -1)) { error in
            XCTAssertEqual((error as? RingLMError)?.status, 100)
        }
    }

    func testTokenizeAndDetokenizeRoundTrip() throws {
        let model = try openModel()
        XCTAssertTrue(model.info.addsBOS)
        for text in ["Once upon a time", "Lily's mom said, \"Let's go!\"", "a b  c"] {
            let tokens = try model.tokenize(text)
            XCTAssertEqual(tokens.first, model.info.bosToken)
            XCTAssertEqual(try model.detokenize(tokens), text)
            XCTAssertEqual(try model.tokenize(text, addBOS: false), Array(tokens.dropFirst()))
        }
        let long = String(repeating: "once upon a time ", count: 200)  // longer than the first buffer guess
        XCTAssertEqual(try model.detokenize(try model.tokenize(long)), long)
    }

    func testGenerationStopsWhenTheCallbackSaysSo() throws {
        let model = try openModel()
        let session = try Session(model: model, options: .greedy)
        var pieces = 0
        let prompt = try model.tokenize("Once upon a time")
        let n = try session.generate(prompt: prompt, maxTokens: 40) { _ in
            pieces += 1
            return pieces < 5
        }
        XCTAssertEqual(n, 5)
        XCTAssertEqual(session.position, prompt.count + 4)  // the fifth token was handed out, not decoded
    }

    func testASnapshotContinuesLikeTheOriginal() throws {
        let model = try openModel()
        let a = try Session(model: model, options: .greedy)
        try a.generate(prompt: try model.tokenize("Once upon a time"), maxTokens: 10) { _ in true }
        let state = try a.saveState()
        let b = try Session(model: model, options: .greedy)
        try b.loadState(state)
        XCTAssertEqual(b.position, a.position)
        var textA = "", textB = ""
        try a.generate(prompt: [], maxTokens: 10) { textA += $0; return true }
        try b.generate(prompt: [], maxTokens: 10) { textB += $0; return true }
        XCTAssertEqual(textA, textB)
        XCTAssertThrowsError(try b.loadState(Array(state.prefix(20))))
    }

    func testASessionKeepsItsModelAlive() throws {
        var session: Session? = try Session(model: try openModel(), options: .greedy)
        var text = ""
        try session!.generate(prompt: try session!.model.tokenize("Once upon a time"), maxTokens: 20) { text += $0; return true }
        XCTAssertFalse(text.isEmpty)
        session = nil
    }

    func testAModelFromMemoryGeneratesAsFromItsFile() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.modelPath)))
        let fromMemory = try Model(gguf: bytes)
        let fromFile = try openModel()
        func text(_ m: Model) throws -> String {
            var t = ""
            try Session(model: m, options: .greedy).generate(prompt: try m.tokenize("Once upon a time"), maxTokens: 20) {
                t += $0
                return true
            }
            return t
        }
        XCTAssertEqual(try text(fromMemory), try text(fromFile))
    }

    func testUTF8PiecesAreJoinedWhole() {
        XCTAssertEqual(completeUTF8Prefix(Array("aé".utf8)), 3)
        XCTAssertEqual(completeUTF8Prefix(Array(Array("aé".utf8).dropLast())), 1)
        XCTAssertEqual(completeUTF8Prefix([0xF0, 0x9F, 0x98]), 0)
        XCTAssertEqual(completeUTF8Prefix([0xF0, 0x9F, 0x98, 0x80]), 4)
    }
}
