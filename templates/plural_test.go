package templates

import "testing"

// A count reads the same in a sentence as in the counts beside it: the
// import preview said "1543 products (10 new, 1,533 updated)".
func TestPluralGroupsThousandsAsNumDoes(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{1, "1 product"}, {0, "0 products"}, {999, "999 products"}, {1543, "1,543 products"}, {2000000, "2,000,000 products"}} {
		if got := Plural(tc.n, "product", "products"); got != tc.want {
			t.Errorf("Plural(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
