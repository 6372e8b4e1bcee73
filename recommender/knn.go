package recommender

import (
	"cmp"
	"math"
	"slices"
)

// binaryRows returns the user→item pattern of m, keeping for each user only
// the entries accepted by keep and at most maxPerUser of them (the strongest),
// so one heavy user cannot dominate the quadratic co-occurrence count.
func binaryRows(m *csr, kind []EventType, keep func(EventType) bool, maxPerUser int) csr {
	out := csr{rows: m.rows, cols: m.cols, indptr: make([]int32, 1, m.rows+1)}
	var buf []int32
	for u := 0; u < m.rows; u++ {
		lo, hi := m.indptr[u], m.indptr[u+1]
		buf = buf[:0]
		for k := lo; k < hi; k++ {
			if keep == nil || keep(kind[k]) {
				buf = append(buf, k)
			}
		}
		if maxPerUser > 0 && len(buf) > maxPerUser {
			slices.SortFunc(buf, func(a, b int32) int { return cmp.Compare(m.data[b], m.data[a]) })
			buf = buf[:maxPerUser]
			slices.Sort(buf) // restore column order
		}
		for _, k := range buf {
			out.indices = append(out.indices, m.indices[k])
			out.data = append(out.data, 1)
		}
		out.indptr = append(out.indptr, int32(len(out.indices)))
	}
	return out
}

// cooccurrenceNeighbors computes, for every item, the top-m items by
//
//	sim(i,j) = Σ_{u ∈ U_i ∩ U_j} |I_u|^(−f.UserDamp) / (|U_i|^f.Source · |U_j|^f.Target + shrink)
//
// over the binary user vectors: cosine with Source = Target = ½ and no
// damping; RP3β-like (Christoffel et al.'s random walk with a popularity
// penalty β) with Source = 1, Target = β and UserDamp = 1. The result is
// an items×items csr whose rows are sorted by similarity, best first (not
// by column).
func cooccurrenceNeighbors(rows *csr, m int, shrink float64, f KNNForm, workers int) csr {
	cols := rows.transpose()
	n := cols.rows
	src, dst := make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		d := float64(cols.indptr[i+1] - cols.indptr[i])
		src[i], dst[i] = math.Pow(d, f.Source), math.Pow(d, f.Target)
	}
	uw := make([]float32, rows.rows)
	for u := range uw {
		uw[u] = 1
		if d := rows.indptr[u+1] - rows.indptr[u]; f.UserDamp > 0 && d > 0 {
			uw[u] = float32(math.Pow(float64(d), -f.UserDamp))
		}
	}
	type result struct {
		idx []int32
		sim []float32
	}
	res := make([]result, n)
	parallelRange(n, workers, func(next func() (int, int, bool)) {
		count := make([]float32, n)
		var touched []int32
		var h topN
		for {
			lo, hi, ok := next()
			if !ok {
				return
			}
			for i := lo; i < hi; i++ {
				touched = touched[:0]
				users, _ := cols.row(i)
				for _, u := range users {
					items, _ := rows.row(int(u))
					w := uw[u]
					for _, j := range items {
						if count[j] == 0 {
							touched = append(touched, j)
						}
						count[j] += w
					}
				}
				h.reset(m)
				for _, j := range touched {
					c := count[j]
					count[j] = 0
					if int(j) == i {
						continue
					}
					h.push(float32(float64(c)/(src[i]*dst[j]+shrink)), j)
				}
				idx, sim := h.sorted()
				res[i] = result{slices.Clone(idx), slices.Clone(sim)}
			}
		}
	})
	out := csr{rows: n, cols: n, indptr: make([]int32, n+1)}
	for i, r := range res {
		out.indices = append(out.indices, r.idx...)
		out.data = append(out.data, r.sim...)
		out.indptr[i+1] = int32(len(out.indices))
	}
	return out
}
