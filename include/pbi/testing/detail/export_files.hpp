// pbi-async — emulator internals: the files an export job produces. Small but well-formed: a real
// 1x1 PNG, zip archives (stored entries, CRC-32) for multi-page PNGs and Office formats, a PDF
// header. Clients that open them find what they expect.
#pragma once

#include <pbi/testing/detail/export_jobs.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pbi::testing::detail {

inline std::uint32_t crc32(std::string_view bytes) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : bytes) {
        crc ^= c;
        for (int k = 0; k < 8; ++k) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

inline void put_le(std::string& out, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
}

inline void put_be32(std::string& out, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) {
        out += static_cast<char>((v >> (8 * i)) & 0xFF);
    }
}

/// A zip archive of stored (uncompressed) entries: name, content.
inline std::string zip_archive(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out, directory;
    for (const auto& [name, content] : entries) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        const auto crc = crc32(content);
        const auto size = static_cast<std::uint32_t>(content.size());
        const auto name_size = static_cast<std::uint32_t>(name.size());
        put_le(out, 0x04034b50u, 4); // local file header
        put_le(out, 20, 2);          // version needed
        put_le(out, 0, 2);           // flags
        put_le(out, 0, 2);           // method: stored
        put_le(out, 0, 2);           // time
        put_le(out, 0x21, 2);        // date: 1980-01-01
        put_le(out, crc, 4);
        put_le(out, size, 4);
        put_le(out, size, 4);
        put_le(out, name_size, 2);
        put_le(out, 0, 2); // extra
        out += name;
        out += content;

        put_le(directory, 0x02014b50u, 4); // central directory header
        put_le(directory, 20, 2);          // version made by
        put_le(directory, 20, 2);          // version needed
        put_le(directory, 0, 2);
        put_le(directory, 0, 2);
        put_le(directory, 0, 2);
        put_le(directory, 0x21, 2);
        put_le(directory, crc, 4);
        put_le(directory, size, 4);
        put_le(directory, size, 4);
        put_le(directory, name_size, 2);
        put_le(directory, 0, 2); // extra
        put_le(directory, 0, 2); // comment
        put_le(directory, 0, 2); // disk
        put_le(directory, 0, 2); // internal attributes
        put_le(directory, 0, 4); // external attributes
        put_le(directory, offset, 4);
        directory += name;
    }
    const auto directory_offset = static_cast<std::uint32_t>(out.size());
    const auto count = static_cast<std::uint32_t>(entries.size());
    out += directory;
    put_le(out, 0x06054b50u, 4); // end of central directory
    put_le(out, 0, 2);
    put_le(out, 0, 2);
    put_le(out, count, 2);
    put_le(out, count, 2);
    put_le(out, static_cast<std::uint32_t>(directory.size()), 4);
    put_le(out, directory_offset, 4);
    put_le(out, 0, 2);
    return out;
}

/// A 1x1 RGBA PNG of one colour (an uncompressed deflate block inside zlib).
inline std::string png_image(std::uint32_t rgba) {
    auto chunk = [](std::string& out, std::string_view type, const std::string& data) {
        put_be32(out, static_cast<std::uint32_t>(data.size()));
        std::string typed = std::string(type) + data;
        out += typed;
        put_be32(out, crc32(typed));
    };
    std::string header;
    put_be32(header, 1);                              // width
    put_be32(header, 1);                              // height
    header += std::string("\x08\x06\x00\x00\x00", 5); // 8-bit RGBA, no interlace
    std::string scanline("\0", 1);                    // filter: none
    put_be32(scanline, rgba);
    std::uint32_t a = 1, b = 0; // Adler-32
    for (unsigned char c : scanline) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    std::string zlib("\x78\x01\x01\x05\x00\xFA\xFF", 7); // final stored block of 5 bytes
    zlib += scanline;
    put_be32(zlib, (b << 16) | a);
    std::string out("\x89PNG\r\n\x1A\n", 8);
    chunk(out, "IHDR", header);
    chunk(out, "IDAT", zlib);
    chunk(out, "IEND", {});
    return out;
}

inline std::string office_file(std::string_view content_type, std::string_view part, std::string_view body) {
    std::string types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
                        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Override "
                        "PartName=\"/" +
                        std::string(part) + "\" ContentType=\"" + std::string(content_type) + "\"/></Types>";
    return zip_archive({{"[Content_Types].xml", types}, {std::string(part), std::string(body)}});
}

struct export_file {
    std::string content_type, extension, bytes;
};

/// The file of a finished job, by format (and, for PNG, by page count: one page is a PNG, more
/// are a zip of one PNG per page).
inline export_file file_for(const export_job& j) {
    const std::string title = j.report_name.empty() ? std::string("Report") : j.report_name;
    const std::string& f = j.format;
    if (f == "PNG" || (f == "IMAGE" && j.image_format == "PNG")) {
        if (j.pages.size() <= 1) {
            return {"image/png", ".png", png_image(0x2F6FDFFFu)};
        }
        std::vector<std::pair<std::string, std::string>> entries;
        std::uint32_t colour = 0x2F6FDFFFu;
        for (const auto& page : j.pages) {
            entries.emplace_back(page + ".png", png_image(colour));
            colour += 0x10200000u;
        }
        return {"application/zip", ".zip", zip_archive(entries)};
    }
    if (f == "PDF" || f == "ACCESSIBLEPDF") {
        std::string pdf = std::string("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", 15);
        pdf += "% " + title + "\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        return {"application/pdf", ".pdf", pdf};
    }
    if (f == "PPTX") {
        return {
            "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx",
            office_file("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
                        "ppt/presentation.xml", "<p:presentation><!-- " + title + " --></p:presentation>")};
    }
    if (f == "XLSX") {
        return {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx",
                office_file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                            "xl/workbook.xml", "<workbook><!-- " + title + " --></workbook>")};
    }
    if (f == "DOCX") {
        return {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx",
            office_file("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                        "word/document.xml", "<w:document><!-- " + title + " --></w:document>")};
    }
    if (f == "CSV") {
        return {"text/csv", ".csv", "Title\r\n\"" + title + "\"\r\n"};
    }
    if (f == "XML") {
        return {"text/xml", ".xml",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Report Name=\"" + title + "\"/>"};
    }
    if (f == "MHTML") {
        return {"multipart/related", ".mhtml",
                "MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n\r\n--b\r\n"
                "Content-Type: text/html\r\n\r\n<html><title>" +
                    title + "</title></html>\r\n--b--\r\n"};
    }
    // IMAGE in its default OutputFormat, TIFF: a little-endian TIFF signature and an empty IFD.
    return {"image/tiff", ".tif", std::string("II*\0\x08\0\0\0\0\0\0\0\0\0", 14)};
}

} // namespace pbi::testing::detail
