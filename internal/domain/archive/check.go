package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
)

var (
	xzMagic    = []byte{0xFD, '7', 'z', 'X', 'Z', 0x00}
	bzip2Magic = []byte("BZh")
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
)

// Check looks at a downloaded file for the usual signs of a failed download:
// an empty file, an HTML page where data was expected (a server's error or
// login page answered with status 200) and, when expectArchive is set and
// the name says it is an archive, a broken archive header or directory.
func Check(path string, expectArchive bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("checking downloaded file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("checking downloaded file: %w", err)
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a folder, not a downloaded file", path)
	}
	if st.Size() == 0 {
		return fmt.Errorf("%s is empty: the download probably failed; dump again, and check the data URL if it stays empty", path)
	}
	head := make([]byte, 1024)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return fmt.Errorf("checking downloaded file %s: %w", path, err)
	}
	if looksLikeHTML(head[:n]) {
		return fmt.Errorf("%s looks like an HTML page, not data: the server probably answered with an error page; open the data URL in a browser to see what it says", path)
	}
	if !expectArchive {
		return nil
	}
	fm, ok := formatOf(path)
	if !ok {
		return nil
	}
	if err := checkFormat(f, st.Size(), head[:n], fm); err != nil {
		return fmt.Errorf("%s is not a readable %s archive (truncated or corrupt): %v; dump again", path, fm.suffix, err)
	}
	return nil
}

func looksLikeHTML(head []byte) bool {
	b := bytes.TrimPrefix(head, utf8BOM)
	b = bytes.TrimLeft(b, " \t\r\n\f\v")
	if len(b) > 16 {
		b = b[:16]
	}
	b = bytes.ToLower(b)
	return bytes.HasPrefix(b, []byte("<!doctype html")) || bytes.HasPrefix(b, []byte("<html"))
}

func checkFormat(f *os.File, size int64, head []byte, fm format) error {
	switch fm.codec {
	case "zip":
		_, err := zip.NewReader(f, size)
		if err != nil {
			return fmt.Errorf("central directory unreadable: %w", err)
		}
		return nil
	case "gzip":
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if _, err := gzip.NewReader(f); err != nil {
			return fmt.Errorf("bad gzip header: %w", err)
		}
		return nil
	case "xz":
		if !bytes.HasPrefix(head, xzMagic) {
			return fmt.Errorf("bad xz header")
		}
		return nil
	case "bzip2":
		if !bytes.HasPrefix(head, bzip2Magic) {
			return fmt.Errorf("bad bzip2 header")
		}
		return nil
	}
	// plain tar
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := tar.NewReader(f).Next(); err != nil && err != io.EOF {
		return fmt.Errorf("bad tar header: %w", err)
	}
	return nil
}
