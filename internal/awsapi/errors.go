package awsapi

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// The error kinds the provider reacts to differently. Codes are those the services document.
var (
	notFoundCodes = map[string]bool{
		"NotFoundException":          true, // KMS
		"NoSuchBucket":               true, // S3
		"NotFound":                   true, // S3 HEAD requests
		"InvalidInstanceID.NotFound": true, // EC2
		"DBInstanceNotFound":         true, // RDS, as the Query protocol names DBInstanceNotFoundFault
		"DBInstanceNotFoundFault":    true,
		"DBSnapshotNotFound":         true,
		"DBSnapshotNotFoundFault":    true,
	}
	accessDeniedCodes = map[string]bool{
		"AccessDenied":                true,
		"AccessDeniedException":       true,
		"UnauthorizedOperation":       true,
		"InvalidClientTokenId":        true,
		"SignatureDoesNotMatch":       true,
		"UnrecognizedClientException": true,
		"ExpiredToken":                true,
	}
	throttledCodes = map[string]bool{
		"ThrottlingException":      true,
		"Throttling":               true,
		"SlowDown":                 true,
		"RequestLimitExceeded":     true,
		"TooManyRequestsException": true,
	}
)

func code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// IsNotFound reports whether err says the object does not exist.
func IsNotFound(err error) bool { return notFoundCodes[code(err)] }

// IsNotEmpty reports whether err says a bucket could not be deleted because it holds object versions.
func IsNotEmpty(err error) bool { return code(err) == "BucketNotEmpty" }

// IsOwnedAlready reports whether err says the bucket to create already exists and belongs to the caller.
func IsOwnedAlready(err error) bool { return code(err) == "BucketAlreadyOwnedByYou" }

// IsAlreadyExists reports whether err says the DB instance or snapshot to create already exists.
func IsAlreadyExists(err error) bool {
	switch code(err) {
	case "DBInstanceAlreadyExists", "DBInstanceAlreadyExistsFault", "DBSnapshotAlreadyExists", "DBSnapshotAlreadyExistsFault":
		return true
	}
	return false
}

// IsSubnetGroupNotFound reports whether err says the DB subnet group a create or restore names does not exist.
func IsSubnetGroupNotFound(err error) bool {
	c := code(err)
	return c == "DBSubnetGroupNotFoundFault" || c == "DBSubnetGroupNotFound"
}

// IsAccessDenied reports whether err says the credentials are not allowed, or not valid.
func IsAccessDenied(err error) bool { return accessDeniedCodes[code(err)] }

// IsThrottled reports whether err is a rate limit that outlasted the retryer.
func IsThrottled(err error) bool { return throttledCodes[code(err)] }

// Operation names the AWS call an error came from, such as kms:CreateKey or s3:PutBucketLifecycleConfiguration,
// or returns "" when the error did not come from a call.
func Operation(err error) string {
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		return strings.ToLower(opErr.ServiceID) + ":" + opErr.OperationName
	}
	return ""
}
