package awsapi

import (
	"errors"

	"github.com/aws/smithy-go"
)

// The error kinds the provider reacts to differently. Codes are those the services document.
var (
	notFoundCodes = map[string]bool{
		"NotFoundException":          true, // KMS
		"NoSuchBucket":               true, // S3
		"NotFound":                   true, // S3 HEAD requests
		"InvalidInstanceID.NotFound": true, // EC2
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

// IsAccessDenied reports whether err says the credentials are not allowed, or not valid.
func IsAccessDenied(err error) bool { return accessDeniedCodes[code(err)] }

// IsThrottled reports whether err is a rate limit that outlasted the retryer.
func IsThrottled(err error) bool { return throttledCodes[code(err)] }
