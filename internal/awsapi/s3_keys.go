package awsapi

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// An S3 key is any UTF-8 string, but S3's answers and the SDK's requests are XML 1.0 documents, which cannot
// carry most control characters (U+0001 to U+001F but tab, line feed and carriage return, and U+FFFE and
// U+FFFF) and turn a carriage return into a line feed. So every listing asks S3 for URL-encoded keys, and
// every delete of such a key goes in the request's URL rather than in an XML body: a key with any character
// is then moved, erased and emptied like any other.

// urlEncodedKeys is ListObjectVersions asking S3 for URL-encoded keys (encoding-type=url) and decoding them,
// so its callers, the SDK's paginator among them, see keys, prefixes and markers as they are. A paginator
// sends the decoded NextKeyMarker back as the next KeyMarker, which is what S3 expects: a request's
// parameters are never URL-encoded twice.
func urlEncodedKeys(list listObjectVersionsFunc) listObjectVersionsFunc {
	return func(ctx context.Context, in *s3.ListObjectVersionsInput, opts ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
		asked := *in
		asked.EncodingType = s3types.EncodingTypeUrl
		out, err := list(ctx, &asked, opts...)
		if err != nil {
			return out, err
		}
		return out, decodeVersionListing(out)
	}
}

// decodeVersionListing decodes in place the fields S3 URL-encodes in a version listing asked with
// encoding-type=url. An answer that does not say it is encoded (EncodingType), from a service that ignored
// the parameter, is left as it is: decoding it would change every key holding a '%' or a '+'.
func decodeVersionListing(out *s3.ListObjectVersionsOutput) error {
	if out == nil || out.EncodingType != s3types.EncodingTypeUrl {
		return nil
	}
	fields := []*string{out.Prefix, out.Delimiter, out.KeyMarker, out.NextKeyMarker}
	for i := range out.Versions {
		fields = append(fields, out.Versions[i].Key)
	}
	for i := range out.DeleteMarkers {
		fields = append(fields, out.DeleteMarkers[i].Key)
	}
	for i := range out.CommonPrefixes {
		fields = append(fields, out.CommonPrefixes[i].Prefix)
	}
	for _, f := range fields {
		if f == nil {
			continue
		}
		// S3 encodes as a form does: a space may come as '+', so a '+' of the key comes as %2B.
		v, err := url.QueryUnescape(*f)
		if err != nil {
			return fmt.Errorf("s3:ListBucketVersions answered a URL-encoded key that does not decode (%q): %w", *f, err)
		}
		*f = v
	}
	out.EncodingType = ""
	return nil
}

// xmlSafe reports whether an XML 1.0 document can carry s as it is: every character is in XML's Char range
// and is not a carriage return, which an XML parser reads as a line feed.
func xmlSafe(s string) bool {
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n':
		case r == '\r':
			return false
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
			return false
		}
	}
	return true
}

// deleteObjectsFunc is DeleteObjects.
type deleteObjectsFunc = operation[s3.DeleteObjectsInput, s3.DeleteObjectsOutput, s3.Options]

// xmlSafeDeletes is DeleteObjects for keys of any character: the versions whose keys an XML body cannot carry
// are deleted one by one with DeleteObject, whose key travels in the URL, and their failures are reported
// among the answer's Errors as DeleteObjects reports its own. (The SDK would write such a key with U+FFFD in
// place of the character, so DeleteObjects would delete another key, or nothing, and say it succeeded.)
func xmlSafeDeletes(batch deleteObjectsFunc, one operation[s3.DeleteObjectInput, s3.DeleteObjectOutput, s3.Options]) deleteObjectsFunc {
	return func(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error) {
		if in.Delete == nil {
			return batch(ctx, in, opts...)
		}
		var safe, unsafe []s3types.ObjectIdentifier
		for _, id := range in.Delete.Objects {
			if xmlSafe(aws.ToString(id.Key)) {
				safe = append(safe, id)
			} else {
				unsafe = append(unsafe, id)
			}
		}
		out := &s3.DeleteObjectsOutput{}
		if len(safe) > 0 || len(unsafe) == 0 {
			asked := *in
			del := *in.Delete
			del.Objects = safe
			asked.Delete = &del
			var err error
			if out, err = batch(ctx, &asked, opts...); err != nil {
				return out, err
			}
		}
		for _, id := range unsafe {
			_, err := one(ctx, &s3.DeleteObjectInput{
				Bucket: in.Bucket, Key: id.Key, VersionId: id.VersionId,
				BypassGovernanceRetention: in.BypassGovernanceRetention, ExpectedBucketOwner: in.ExpectedBucketOwner,
			}, opts...)
			switch {
			case err == nil:
				if !aws.ToBool(in.Delete.Quiet) {
					out.Deleted = append(out.Deleted, s3types.DeletedObject{Key: id.Key, VersionId: id.VersionId})
				}
			case ctx.Err() != nil:
				return out, err
			default:
				out.Errors = append(out.Errors, s3types.Error{Key: id.Key, VersionId: id.VersionId,
					Code: aws.String(code(err)), Message: aws.String(err.Error())})
			}
		}
		return out, nil
	}
}
