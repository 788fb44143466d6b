/// Small files written whole: to `<path>.partial`, then renamed into place, so a reader never sees half of one.
///
/// Foundation's `Data.write(to:options: .atomic)` promises the same, but on Linux it stages the data in a
/// `TemporaryDirectory.XXXXXX` folder under /tmp that it never removes: one stray folder per manifest or contact
/// sheet written.
package enum AtomicFile {
    package static func write(_ bytes: [UInt8], to path: String) throws(TensorWriteError) {
        // A buffer smaller than the data makes BufferedFile hand the bytes straight to write(2), without a copy.
        let file = try BufferedFile(path: path, atomic: true, bufferSize: 1)
        try withBytes(bytes) { (raw) throws(TensorWriteError) in try file.write(raw) }
        try file.commit()
    }
}
