//! Grouping faces into people.
//!
//! A face joins the person whose faces it is closest to on average, if that is under
//! [`JOIN`]; otherwise it starts a person of its own. Average distance rather than the
//! nearest face, so one blurry face cannot chain two people together. [`regroup`] does the
//! same for a whole set, then joins people whose averages are under [`JOIN`] of each other.

/// dlib's own rule: under 0.6 apart is the same person for 99.38% of the LFW pairs. Shoebox
/// groups a little tighter, since a wrong merge is worse for a user than a split.
pub const JOIN: f32 = 0.55;

pub fn distance(a: &[f32; 128], b: &[f32; 128]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

/// The average distance from `face` to each of `members`.
pub fn mean_distance(face: &[f32; 128], members: &[&[f32; 128]]) -> f32 {
    if members.is_empty() {
        return f32::INFINITY;
    }
    members.iter().map(|m| distance(face, m)).sum::<f32>() / members.len() as f32
}

/// Which of `people` (each a list of descriptors) `face` belongs to, if any.
pub fn assign(face: &[f32; 128], people: &[Vec<&[f32; 128]>]) -> Option<usize> {
    people
        .iter()
        .enumerate()
        .map(|(i, members)| (i, mean_distance(face, members)))
        .filter(|(_, d)| *d < JOIN)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Groups `faces` from scratch; returns a group number for each face, numbered from 0 in
/// the order each group's first face appears.
pub fn regroup(faces: &[[f32; 128]]) -> Vec<usize> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, f) in faces.iter().enumerate() {
        let people: Vec<Vec<&[f32; 128]>> = groups
            .iter()
            .map(|g| g.iter().map(|&j| &faces[j]).collect())
            .collect();
        match assign(f, &people) {
            Some(g) => groups[g].push(i),
            None => groups.push(vec![i]),
        }
    }
    // Join groups whose faces are, on average, close enough to each other.
    loop {
        let mut best: Option<(usize, usize, f32)> = None;
        for a in 0..groups.len() {
            for b in a + 1..groups.len() {
                let mut sum = 0.0;
                for &i in &groups[a] {
                    for &j in &groups[b] {
                        sum += distance(&faces[i], &faces[j]);
                    }
                }
                let d = sum / (groups[a].len() * groups[b].len()) as f32;
                if d < JOIN && best.is_none_or(|(_, _, bd)| d < bd) {
                    best = Some((a, b, d));
                }
            }
        }
        let Some((a, b, _)) = best else { break };
        let moved = groups.remove(b);
        groups[a].extend(moved);
    }
    let mut out = vec![0; faces.len()];
    groups.sort_by_key(|g| *g.iter().min().expect("groups are never empty"));
    for (n, g) in groups.iter().enumerate() {
        for &i in g {
            out[i] = n;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seed: f32, jitter: f32) -> [f32; 128] {
        let mut v = [0f32; 128];
        for (i, x) in v.iter_mut().enumerate() {
            *x = ((i as f32 * 0.37 + seed).sin() * 0.09) + ((i as f32 * 1.3 + jitter).cos() * 0.01);
        }
        v
    }

    #[test]
    fn close_faces_group_and_far_ones_do_not() {
        let a1 = at(0.0, 0.0);
        let a2 = at(0.0, 2.0);
        let b1 = at(3.0, 0.0);
        assert!(distance(&a1, &a2) < JOIN, "{}", distance(&a1, &a2));
        assert!(distance(&a1, &b1) > JOIN, "{}", distance(&a1, &b1));
        assert_eq!(regroup(&[a1, b1, a2]), vec![0, 1, 0]);
    }

    #[test]
    fn nothing_gives_nothing() {
        assert!(regroup(&[]).is_empty());
        assert_eq!(assign(&at(0.0, 0.0), &[]), None);
    }
}
