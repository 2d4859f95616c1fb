package cite

import (
	"fmt"
	"testing"
)

func TestFactRenders(t *testing.T) {
	f := Fact{Value: "0.076", Source: "Kaplan et al. (2020), Eq. 1.1"}
	for _, tc := range []struct{ got, want string }{
		{f.String(), "0.076 [cited: Kaplan et al. (2020), Eq. 1.1]"},
		{f.Markdown(), "*0.076*<sup>[cited: Kaplan et al. (2020), Eq. 1.1]</sup>"},
		{f.HTML(), "<i>0.076</i><sup>[cited: Kaplan et al. (2020), Eq. 1.1]</sup>"},
		// Markdown and HTML specials in the text stay text.
		{Fact{Value: "a_b*c", Source: "<x> [y]"}.Markdown(), `*a\_b\*c*<sup>[cited: &lt;x> \[y\]]</sup>`},
		{Fact{Value: "a<b", Source: "&"}.HTML(), "<i>a&lt;b</i><sup>[cited: &amp;]</sup>"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// A notebook prints a cited value apart from the computed one beside it.
func ExampleFact_Markdown() {
	kaplan := Fact{Value: "0.076", Source: "Kaplan et al. (2020), Eq. 1.1"}
	fmt.Printf("computed **%.3f**, Kaplan's α_N %s\n", 0.0985, kaplan.Markdown())
	// Output: computed **0.099**, Kaplan's α_N *0.076*<sup>[cited: Kaplan et al. (2020), Eq. 1.1]</sup>
}
