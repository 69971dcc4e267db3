// Replaced by awsapi's tests of Key.Problems when the layout lands.

package key

import "testing"

func TestKeyInvariantProblems(t *testing.T) {
	if p := keyInvariantProblems(apiKey()); len(p) != 0 {
		t.Errorf("a good key has problems: %v", p)
	}
	k := apiKey()
	k.MultiRegion, k.KeySpec, k.KeyUsage, k.RotationEnabled = true, "RSA_2048", "SIGN_VERIFY", false
	if p := keyInvariantProblems(k); len(p) != 3 {
		t.Errorf("problems = %v, want multi-region, key spec and rotation", p)
	}
}
