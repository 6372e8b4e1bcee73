package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"storefront/recommender"
)

// headroomRow counts, for one kind of held-out item, how many there are
// and how many of them item-kNN's, the hybrid's and the oracle's top k hold.
type headroomRow struct {
	kind                        string
	relevant, knn, hybrid, orcl int
}

// Kinds of held-out items, by what the generator knows and no model sees.
const (
	kindAll        = "every held-out item"
	kindDeptSeen   = "in a department of the shopper's training history"
	kindFavUnseen  = "in a favourite department the training history never reached"
	kindOtherDept  = "in another department (the sessions' random tenth)"
	kindStyle      = "of the shopper's hidden style"
	kindOtherStyle = "of another style"
	kindPopHead    = "among the 5 % most popular products (training)"
	kindPopMid     = "popularity 5–25 %"
	kindPopTail    = "popularity below the top 25 %"
	// Worlds with launches or trends (Launch, Trend > 0) also split by
	// when the product came and whether it takes off.
	kindLaunchAfter  = "launched after the training cut-off (no training events)"
	kindLaunchBefore = "launched in the last 15 % of the time, before the cut-off"
	kindTrendy       = "trendy (takes off in the last 10 % of the time)"
	kindEstablished  = "neither launched late nor trendy"
)

// headroomKinds lists the kinds in print order; each group after "every
// held-out item" (departments, style, popularity) splits it in full.
var headroomKinds = []string{kindAll, kindDeptSeen, kindFavUnseen, kindOtherDept, kindStyle, kindOtherStyle, kindPopHead, kindPopMid, kindPopTail}

// launchKinds split every held-out item of a world with launches or
// trends, in this order of precedence (a trendy launch is a launch).
var launchKinds = []string{kindLaunchAfter, kindLaunchBefore, kindTrendy, kindEstablished}

// headroom breaks the held-out items of a generated shop down by kind and
// counts the hits of item-kNN and the hybrid (lists[u][0] and [1]) and of
// the oracle's top k (the hidden tastes at the start of the test window),
// under the suite's protocol: each shopper with training events, their
// held-out items not in their training events.
func headroom(w *world, train, test []recommender.Event, lists map[string][2][]string, k int) []headroomRow {
	index := map[string]int{}
	for i, it := range w.items {
		index[it.ID] = i
	}
	seen := map[string]map[int]bool{}
	pop := make([]int, len(w.items))
	for _, e := range train {
		i := index[e.Item]
		if seen[e.User] == nil {
			seen[e.User] = map[int]bool{}
		}
		if !seen[e.User][i] {
			pop[i]++
		}
		seen[e.User][i] = true
	}
	order := make([]int, len(w.items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(pop[b], pop[a]) })
	popRank := make([]int, len(w.items))
	for r, i := range order {
		popRank[i] = r
	}
	at := testStart(w, test)
	var cutoff time.Time // the last training event
	for _, e := range train {
		if e.Time.After(cutoff) {
			cutoff = e.Time
		}
	}
	span := time.Duration(w.spec.Days) * 24 * time.Hour
	lateFrom := w.start.Add(span * 85 / 100)
	launchSplit := w.spec.Launch > 0 || w.spec.Trend > 0
	kinds := headroomKinds
	if launchSplit {
		kinds = append(slices.Clone(kinds), launchKinds...)
	}
	rel := map[string]map[int]bool{}
	for _, e := range test {
		i := index[e.Item]
		if seen[e.User] == nil || seen[e.User][i] {
			continue
		}
		if rel[e.User] == nil {
			rel[e.User] = map[int]bool{}
		}
		rel[e.User][i] = true
	}
	rows := map[string]*headroomRow{}
	for _, kd := range kinds {
		rows[kd] = &headroomRow{kind: kd}
	}
	for u, items := range rel {
		sc := w.oracle(u, at(u))
		cand := make([]int, 0, len(sc))
		for i := range sc {
			if !seen[u][i] {
				cand = append(cand, i)
			}
		}
		slices.SortStableFunc(cand, func(a, b int) int { return cmp.Compare(sc[b], sc[a]) })
		inTop := [3]map[int]bool{{}, {}, {}}
		for m, l := range lists[u] {
			for _, id := range l[:min(k, len(l))] {
				inTop[m][index[id]] = true
			}
		}
		for _, i := range cand[:min(k, len(cand))] {
			inTop[2][i] = true
		}
		tu := w.tastes[u]
		depts := map[int]bool{}
		for i := range seen[u] {
			depts[w.cat[i]] = true
		}
		for i := range items {
			dept := kindOtherDept
			switch {
			case depts[w.cat[i]]:
				dept = kindDeptSeen
			case slices.Contains(tu.favs, w.cat[i]):
				dept = kindFavUnseen
			}
			style := kindOtherStyle
			if w.style[i] == tu.style {
				style = kindStyle
			}
			popKind := kindPopTail
			switch {
			case popRank[i] < len(w.items)/20:
				popKind = kindPopHead
			case popRank[i] < len(w.items)/4:
				popKind = kindPopMid
			}
			group := []string{kindAll, dept, style, popKind}
			if launchSplit {
				created := w.items[i].Created
				switch {
				case created.After(cutoff):
					group = append(group, kindLaunchAfter)
				case !created.Before(lateFrom):
					group = append(group, kindLaunchBefore)
				case w.trendy[i]:
					group = append(group, kindTrendy)
				default:
					group = append(group, kindEstablished)
				}
			}
			for _, kd := range group {
				r := rows[kd]
				r.relevant++
				r.knn += b2i(inTop[0][i])
				r.hybrid += b2i(inTop[1][i])
				r.orcl += b2i(inTop[2][i])
			}
		}
	}
	out := make([]headroomRow, 0, len(kinds))
	for _, kd := range kinds {
		out = append(out, *rows[kd])
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func printHeadroom(out io.Writer, name string, rows []headroomRow) {
	fmt.Fprintf(out, "%s: held-out items by kind, and the share of them in each top list\n", name)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "kind\theld out\titem-kNN\thybrid\toracle\t\n")
	for _, r := range rows {
		pct := func(n int) string { return fmt.Sprintf("%.1f %%", 100*float64(n)/float64(max(r.relevant, 1))) }
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t\n", r.kind, r.relevant, pct(r.knn), pct(r.hybrid), pct(r.orcl))
	}
	tw.Flush()
}
