package main

import (
	"bytes"
	"crypto/sha1" //nolint:gosec // S3's SHA-1 checksum, which a client may ask a copy for
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// fakeS3 is an in-memory S3 for the objects of the latency-bound move (see movelat.go):
// github.com/johannesboyne/gofakes3 over its s3mem backend, served inside the benchmark's process. It answers
// thousands of requests a second where moto answers about 120, so the delay the proxy adds, not the
// emulator's CPU, is what bounds the clients. It knows no bucket configuration (encryption, policy,
// lifecycle, Object Lock, tags), which a gdpr_bucket needs, so the proxy sends it the object requests and
// the listings alone (see forFake), mirrors to it the calls that make, version and delete buckets (see
// mirrored), and leaves moto to answer everything else.
//
// Two things S3 does that gofakes3 does not are added here, because the move checks them: a copy's answer
// carries the checksum the client asked for, computed from what the copy holds, and names the KMS key the copy
// was encrypted under (see copyAnswer). gofakes3 keeps every x-amz-* header of a write as the object's
// metadata and answers a HEAD with it, so an object seeded with its checksum (see put) reports it, and a copy
// the KMS key its request named.
type fakeS3 struct {
	backend *s3mem.Backend
	handler http.Handler
}

func newFakeS3() *fakeS3 {
	b := s3mem.New()
	// The providers sign with the current time; the skew check only costs time here.
	g := gofakes3.New(b, gofakes3.WithLogger(gofakes3.DiscardLog()), gofakes3.WithTimeSkewLimit(0))
	return &fakeS3{backend: b, handler: g.Server()}
}

// listingParams are the query parameters of ListObjects (version 1), a GET of a bucket with nothing else.
var listingParams = map[string]bool{
	"prefix": true, "delimiter": true, "marker": true, "max-keys": true, "encoding-type": true,
}

// forFake says whether the fake answers r: a request for an object (path style, /bucket/key), or one that
// lists or deletes a bucket's objects. KMS (its operation in X-Amz-Target), EC2 and STS (a form POSTed to /)
// and ListBuckets (a GET of /) name no bucket and stay with moto.
func forFake(r *http.Request) bool {
	if r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" {
		return false
	}
	if key != "" {
		return true
	}
	q := r.URL.Query()
	for _, sub := range []string{"versions", "list-type", "delete", "uploads"} {
		if q.Has(sub) {
			return true
		}
	}
	if r.Method != http.MethodGet {
		return false
	}
	for k := range q {
		if !listingParams[k] && k != "x-id" {
			return false
		}
	}
	return true
}

// mirrored says whether r makes, versions or deletes a bucket: both the fake and moto must see it, the fake
// to hold the bucket's objects, moto to hold its configuration.
func mirrored(r *http.Request) bool {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || key != "" || r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	q := r.URL.Query()
	q.Del("x-id")
	switch {
	case r.Method == http.MethodPut && len(q) == 0, r.Method == http.MethodDelete && len(q) == 0:
		return true
	case r.Method == http.MethodPut && len(q) == 1 && q.Has("versioning"):
		return true
	}
	return false
}

// mirror plays a mirrored request to the fake and reports whether it took it; when it did not, it has written
// the fake's answer to w (a bucket that is not empty, say), and the request goes no further. The body is read
// once and given back to r for moto.
func (f *fakeS3) mirror(w http.ResponseWriter, r *http.Request) bool {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return false
	}
	r.Body.Close()
	fr := r.Clone(r.Context())
	fr.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, fr)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if rec.Code < 300 {
		return true
	}
	writeRecorded(w, rec.Result().Header, rec.Code, rec.Body.Bytes())
	return false
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Query().Has("versions") {
		f.listVersions(w, r)
		return
	}
	if r.Method != http.MethodPut || r.Header.Get("X-Amz-Copy-Source") == "" {
		f.handler.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, r)
	header, body := rec.Result().Header, rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		var err error
		if body, err = f.copyAnswer(r, header, body); err != nil {
			http.Error(w, "bench fake S3: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	writeRecorded(w, header, rec.Code, body)
}

// listVersions answers ListObjectVersions from the backend's whole listing, a page of max-keys (1000 by
// default) after the markers. gofakes3 v1.2.0 marks a long listing truncated but gives no markers to go on
// from, so a client that pages on would be given the first page again, for ever.
func (f *fakeS3) listVersions(w http.ResponseWriter, r *http.Request) {
	bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	prefix := gofakes3.Prefix{HasPrefix: q.Has("prefix"), Prefix: q.Get("prefix")}
	all, err := f.backend.ListBucketVersions(bucket, &prefix, nil)
	if err != nil {
		// gofakes3 words the error, a bucket that does not exist above all, as S3 does.
		f.handler.ServeHTTP(w, r)
		return
	}
	maxKeys := 1000
	if v, err := strconv.Atoi(q.Get("max-keys")); err == nil && v >= 0 && v < maxKeys {
		maxKeys = v
	}
	start := 0
	if km := q.Get("key-marker"); km != "" {
		vm := gofakes3.VersionID(q.Get("version-id-marker"))
		if vm == "null" {
			vm = ""
		}
		start = len(all.Versions)
		for i, v := range all.Versions {
			key, id := versionKey(v)
			if key == km && id == vm && q.Has("version-id-marker") {
				start = i + 1
				break
			}
			if key > km {
				start = i
				break
			}
		}
	}
	end := min(start+maxKeys, len(all.Versions))
	page := gofakes3.ListBucketVersionsPage{KeyMarker: q.Get("key-marker"), VersionIDMarker: gofakes3.VersionID(q.Get("version-id-marker")), MaxKeys: int64(maxKeys)}
	res := gofakes3.NewListBucketVersionsResult(bucket, &prefix, &page)
	res.Versions = all.Versions[start:end]
	if res.IsTruncated = end < len(all.Versions); res.IsTruncated && end > start {
		res.NextKeyMarker, res.NextVersionIDMarker = versionKey(res.Versions[len(res.Versions)-1])
		if res.NextVersionIDMarker == "" {
			res.NextVersionIDMarker = "null"
		}
	}
	for _, v := range res.Versions {
		// S3 names the version of an object written while the bucket was unversioned "null".
		switch v := v.(type) {
		case *gofakes3.Version:
			if v.VersionID == "" {
				v.VersionID = "null"
			}
		case *gofakes3.DeleteMarker:
			if v.VersionID == "" {
				v.VersionID = "null"
			}
		}
	}
	out, err := xml.Marshal(res)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// versionKey is the key and version ID of a listed version or delete marker.
func versionKey(v gofakes3.VersionItem) (string, gofakes3.VersionID) {
	switch v := v.(type) {
	case *gofakes3.Version:
		return v.Key, v.VersionID
	case *gofakes3.DeleteMarker:
		return v.Key, v.VersionID
	}
	return "", ""
}

func writeRecorded(w http.ResponseWriter, header http.Header, code int, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// copyResult is S3's answer to CopyObject, with the checksum fields gofakes3 leaves out.
type copyResult struct {
	XMLName           xml.Name `xml:"CopyObjectResult"`
	ETag              string   `xml:"ETag,omitempty"`
	LastModified      string   `xml:"LastModified,omitempty"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
}

// copyAnswer completes gofakes3's answer to a CopyObject as S3 gives it: the checksum of the algorithm the
// request named (x-amz-checksum-algorithm), computed from the bytes the fake now holds under the new key, so
// a copy that differed from its source would show it; and the server-side encryption the request asked for.
// An algorithm it does not compute (CRC64NVME) is left out, as S3 leaves out a checksum nobody asked for.
func (f *fakeS3) copyAnswer(r *http.Request, header http.Header, body []byte) ([]byte, error) {
	for _, h := range []string{"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", "X-Amz-Server-Side-Encryption-Bucket-Key-Enabled"} {
		if v := r.Header.Get(h); v != "" {
			header.Set(h, v)
		}
	}
	algo := strings.ToUpper(r.Header.Get("X-Amz-Checksum-Algorithm"))
	if algo == "" {
		return body, nil
	}
	var res copyResult
	if err := xml.Unmarshal(body, &res); err != nil {
		return nil, fmt.Errorf("reading gofakes3's CopyObjectResult: %w", err)
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	obj, err := f.backend.GetObject(bucket, key, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the copy %s/%s: %w", bucket, key, err)
	}
	content, err := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if err != nil {
		return nil, err
	}
	sum := checksum(algo, content)
	switch algo {
	case "CRC32":
		res.ChecksumCRC32 = sum
	case "CRC32C":
		res.ChecksumCRC32C = sum
	case "SHA1":
		res.ChecksumSHA1 = sum
	case "SHA256":
		res.ChecksumSHA256 = sum
	}
	if sum != "" {
		res.ChecksumType = "FULL_OBJECT"
	}
	out, err := xml.Marshal(res)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

// checksum is content's checksum as S3 writes it (base64 of the big-endian value), "" for an algorithm not
// computed here.
func checksum(algo string, content []byte) string {
	var h hash.Hash
	switch algo {
	case "CRC32":
		h = crc32.NewIEEE()
	case "CRC32C":
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "SHA1":
		h = sha1.New() //nolint:gosec // S3's SHA-1 checksum, not a security measure
	case "SHA256":
		h = sha256.New()
	default:
		return ""
	}
	h.Write(content)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// put seeds bucket with the n objects putObjects makes, straight into the fake's memory, each with the CRC32
// checksum S3 keeps of an upload from today's SDKs and CLIs.
func (f *fakeS3) put(bucket string, n int) error {
	for i := range n {
		body := objectBody(i)
		meta := map[string]string{"Content-Type": "binary/octet-stream", "X-Amz-Checksum-Crc32": checksum("CRC32", body)}
		if _, err := f.backend.PutObject(bucket, objectKey(i), meta, bytes.NewReader(body), int64(len(body)), nil); err != nil {
			return fmt.Errorf("seeding object %d into %s: %w", i, bucket, err)
		}
	}
	return nil
}

// checkContent fails unless every one of the n objects putObjects makes is in bucket with its own content.
// It reads the fake's memory, so it costs the run no requests.
func (f *fakeS3) checkContent(bucket string, n int) error {
	var problems []string
	for i := range n {
		obj, err := f.backend.GetObject(bucket, objectKey(i), nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", objectKey(i), err))
			continue
		}
		content, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil || !bytes.Equal(content, objectBody(i)) {
			problems = append(problems, objectKey(i)+" does not hold its content")
		}
		if len(problems) > 5 {
			break
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("bucket %s: %s", bucket, strings.Join(problems, "; "))
	}
	return nil
}

// bucketGone fails unless the fake no longer holds bucket.
func (f *fakeS3) bucketGone(bucket string) error {
	exists, err := f.backend.BucketExists(bucket)
	if err != nil {
		return err
	}
	if exists {
		return errors.New("bucket " + bucket + " still holds objects in the fake S3")
	}
	return nil
}
