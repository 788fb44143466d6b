import CvatTestSupport
import Foundation

/// Writes small zip files byte by byte, so tests can make the malformed archives no zip library would write.
struct ZipBuilder {
    struct Member {
        var name: String
        var data: [UInt8]
        /// Unix mode for the external attributes (regular file by default); 0o120777 makes a symlink.
        var unixMode: UInt32 = 0o100644
        var crcOverride: UInt32?
        var sizeOverride: UInt32?
    }

    var members: [Member] = []

    mutating func add(_ name: String, _ data: [UInt8], unixMode: UInt32 = 0o100644) {
        members.append(Member(name: name, data: data, unixMode: unixMode))
    }

    func build() -> [UInt8] {
        var out: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: UInt32, _ a: inout [UInt8]) {
            a += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24 & 0xFF)]
        }
        for m in members {
            let name = Array(m.name.utf8)
            let crc = m.crcOverride ?? crc32(m.data)
            let size = m.sizeOverride ?? UInt32(m.data.count)
            let offset = UInt32(out.count)
            le32(0x0403_4b50, &out)
            le16(20, &out)
            le16(0, &out)  // flags
            le16(0, &out)  // stored
            le16(0, &out)
            le16(0x21, &out)  // time, date
            le32(crc, &out)
            le32(size, &out)
            le32(size, &out)
            le16(name.count, &out)
            le16(0, &out)
            out += name
            out += m.data

            le32(0x0201_4b50, &central)
            le16(3 << 8 | 20, &central)  // made by Unix
            le16(20, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0x21, &central)
            le32(crc, &central)
            le32(size, &central)
            le32(size, &central)
            le16(name.count, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le16(0, &central)
            le32(m.unixMode << 16, &central)
            le32(offset, &central)
            central += name
        }
        let cdOffset = out.count
        out += central
        le32(0x0605_4b50, &out)
        le16(0, &out)
        le16(0, &out)
        le16(members.count, &out)
        le16(members.count, &out)
        le32(UInt32(central.count), &out)
        le32(UInt32(cdOffset), &out)
        le16(0, &out)
        return out
    }
}
