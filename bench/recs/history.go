package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"storefront/recommender"
)

// historyBuckets are the history lengths the -by-history breakdown groups
// test shoppers by: the distinct products in their training history, as
// the outside checks count them.
var historyBuckets = []struct {
	name   string
	lo, hi int // inclusive; hi 0 = no upper bound
}{{"1–3", 1, 3}, {"4–7", 4, 7}, {"8–15", 8, 15}, {"16+", 16, 0}}

// historyBucket gives the bucket of a history of n distinct products.
func historyBucket(n int) int {
	for b, hb := range historyBuckets {
		if n >= hb.lo && (hb.hi == 0 || n <= hb.hi) {
			return b
		}
	}
	return 0
}

// byHistory holds each scored list's NDCG per test shopper, by column
// (popular, item-kNN, …), for the per-history-length breakdown.
type byHistory struct {
	length  map[string]int // distinct training products per test shopper
	columns []string
	ndcg    map[string]map[string]float64 // column → user → NDCG
}

func newByHistory(seen map[string]map[string]bool, users []string) *byHistory {
	h := &byHistory{length: map[string]int{}, ndcg: map[string]map[string]float64{}}
	for _, u := range users {
		h.length[u] = len(seen[u])
	}
	return h
}

// add records one user's NDCG in a column (the column is created at its
// first value).
func (h *byHistory) add(column, user string, v float64) {
	if h == nil {
		return
	}
	if h.ndcg[column] == nil {
		h.ndcg[column] = map[string]float64{}
		h.columns = append(h.columns, column)
	}
	h.ndcg[column][user] = v
}

// usersIn lists the test shoppers of bucket b, sorted.
func (h *byHistory) usersIn(b int) []string {
	var out []string
	for u, n := range h.length {
		if historyBucket(n) == b {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out
}

// print writes one row per history bucket: its users, each column's mean
// NDCG over them, and each list's ratio to item-kNN (not the parts alone).
func (h *byHistory) print(w io.Writer, world string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s by history length\tusers\t%s\t", world, strings.Join(h.columns, "\t"))
	for _, c := range h.columns {
		if withRatio(c) {
			fmt.Fprintf(tw, "%s/kNN\t", c)
		}
	}
	fmt.Fprintln(tw)
	for b, hb := range historyBuckets {
		users := h.usersIn(b)
		if len(users) == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t", hb.name, len(users))
		means := make([]float64, len(h.columns))
		for i, c := range h.columns {
			for _, u := range users {
				means[i] += h.ndcg[c][u]
			}
			means[i] /= float64(len(users))
			fmt.Fprintf(tw, "%.4f\t", means[i])
		}
		knn := means[slices.Index(h.columns, "item-kNN")]
		for i, c := range h.columns {
			if withRatio(c) {
				fmt.Fprintf(tw, "%.2f×\t", ratio(means[i], knn))
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// withRatio: the lists compared with item-kNN (the parts alone are read
// against the columns themselves).
func withRatio(column string) bool {
	return column != "item-kNN" && !strings.HasSuffix(column, " alone")
}

// ablationByHistory runs the model's ablation (the blend without each of
// its parts) on each history bucket's test shoppers alone.
func ablationByHistory(ctx context.Context, m *recommender.Model, test []recommender.Event, h *byHistory, k int) ([]bucketAblation, error) {
	var out []bucketAblation
	for b := range historyBuckets {
		in := map[string]bool{}
		for _, u := range h.usersIn(b) {
			in[u] = true
		}
		var evs []recommender.Event
		for _, e := range test {
			if in[e.User] {
				evs = append(evs, e)
			}
		}
		var rows []recommender.AblationRow
		if len(evs) > 0 {
			var err error
			if rows, err = m.Ablation(ctx, evs, k); err != nil {
				return nil, err
			}
		}
		for _, a := range rows {
			i := slices.IndexFunc(out, func(x bucketAblation) bool { return x.variant == a.Variant })
			if i < 0 {
				out = append(out, bucketAblation{variant: a.Variant, ndcg: make([]float64, len(historyBuckets))})
				for t := range out[len(out)-1].ndcg {
					out[len(out)-1].ndcg[t] = math.NaN()
				}
				i = len(out) - 1
			}
			out[i].ndcg[b] = a.NDCG
		}
	}
	return out, nil
}

// printByHistory writes the world's per-history-length tables (with
// -by-history).
func (r *result) printByHistory(w io.Writer) {
	if r.byHistory == nil {
		return
	}
	r.byHistory.print(w, r.name)
	if len(r.ablation) == 0 {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s ablation by history length\t", r.name)
	for _, hb := range historyBuckets {
		fmt.Fprintf(tw, "%s\t", hb.name)
	}
	fmt.Fprintln(tw)
	for _, a := range r.ablation {
		fmt.Fprintf(tw, "%s\t", a.variant)
		for _, v := range a.ndcg {
			if math.IsNaN(v) {
				fmt.Fprint(tw, "–\t")
			} else {
				fmt.Fprintf(tw, "%.4f\t", v)
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// bucketShares gives the share of the shoppers with a new product in test
// (and a history in train) per history bucket, and their number.
func bucketShares(train, test []recommender.Event) ([]float64, int) {
	seen := map[string]map[string]bool{}
	for _, e := range train {
		if seen[e.User] == nil {
			seen[e.User] = map[string]bool{}
		}
		seen[e.User][e.Item] = true
	}
	counted := map[string]bool{}
	shares := make([]float64, len(historyBuckets))
	for _, e := range test {
		if seen[e.User] == nil || seen[e.User][e.Item] || counted[e.User] {
			continue
		}
		counted[e.User] = true
		shares[historyBucket(len(seen[e.User]))]++
	}
	for b := range shares {
		shares[b] /= float64(max(len(counted), 1))
	}
	return shares, len(counted)
}

// printSplitShares writes how the test shoppers and tuning's held-out
// shoppers (the latest tenth of the training part, the split Fit tunes on
// before any sampling) spread over the history buckets.
func printSplitShares(w io.Writer, world string, train, test []recommender.Event) {
	tuneTrain, tuneVal := recommender.TimeSplit(train, 0.9)
	for _, s := range []struct {
		name        string
		train, test []recommender.Event
	}{{"test shoppers", train, test}, {"tuning's held-out shoppers", tuneTrain, tuneVal}} {
		shares, n := bucketShares(s.train, s.test)
		fmt.Fprintf(w, "%s: %d %s by history length:", world, n, s.name)
		for b, hb := range historyBuckets {
			fmt.Fprintf(w, " %s %.0f %%", hb.name, 100*shares[b])
		}
		fmt.Fprintln(w)
	}
}
