//! Grouping faces into people, one face at a time as photos arrive.
//!
//! Each person is held as the mean of its faces' descriptors. A face joins the person whose
//! mean is nearest, if that is under [`JOIN`]; otherwise it starts a person of its own. The
//! mean rather than the nearest face, so one blurry face cannot chain two people together
//! (single linkage does); and a new face costs one distance per person, not per face.

/// dlib's own rule is that faces under 0.6 apart are the same person (99.38% of LFW's
/// pairs). A face is nearer its person's mean than to a single other face of them, so the
/// bar here is lower; a wrong merge costs a person more than a split, which is one click.
pub const JOIN: f32 = 0.5;

pub fn distance(a: &[f32; 128], b: &[f32; 128]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f32>()
        .sqrt()
}

/// People as grouping sees them: an id of the caller's and the running mean of the faces.
#[derive(Default)]
pub struct Groups<Id> {
    people: Vec<(Id, [f32; 128], u32)>,
}

impl<Id: Clone + PartialEq> Groups<Id> {
    pub fn new() -> Self {
        Groups { people: Vec::new() }
    }

    /// Adds `face` to person `id` (made if new).
    pub fn add(&mut self, id: Id, face: &[f32; 128]) {
        match self.people.iter_mut().find(|(p, _, _)| *p == id) {
            Some((_, mean, n)) => {
                *n += 1;
                let k = 1.0 / *n as f32;
                mean.iter_mut()
                    .zip(face)
                    .for_each(|(m, f)| *m += (f - *m) * k);
            }
            None => self.people.push((id, *face, 1)),
        }
    }

    /// Gives person `from` the id `to` (a person made in the catalog after it was grouped).
    pub fn rename(&mut self, from: &Id, to: Id) {
        if let Some(p) = self.people.iter_mut().find(|(p, _, _)| p == from) {
            p.0 = to;
        }
    }

    /// The person `face` belongs to, if any is near enough.
    pub fn nearest(&self, face: &[f32; 128]) -> Option<Id> {
        self.people
            .iter()
            .map(|(id, mean, _)| (id, distance(face, mean)))
            .filter(|(_, d)| *d < JOIN)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, _)| id.clone())
    }
}

/// Groups `faces` from scratch, in order: a group number for each face, from 0.
pub fn regroup(faces: &[[f32; 128]]) -> Vec<usize> {
    let mut groups = Groups::new();
    let mut next = 0;
    faces
        .iter()
        .map(|f| {
            let g = groups.nearest(f).unwrap_or_else(|| {
                next += 1;
                next - 1
            });
            groups.add(g, f);
            g
        })
        .collect()
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
        let (a1, a2, b1) = (at(0.0, 0.0), at(0.0, 2.0), at(3.0, 0.0));
        assert!(distance(&a1, &a2) < JOIN, "{}", distance(&a1, &a2));
        assert!(distance(&a1, &b1) > JOIN, "{}", distance(&a1, &b1));
        assert_eq!(regroup(&[a1, b1, a2]), vec![0, 1, 0]);
    }

    #[test]
    fn nothing_gives_nothing() {
        assert!(regroup(&[]).is_empty());
        assert_eq!(Groups::<u8>::new().nearest(&at(0.0, 0.0)), None);
    }

    #[test]
    fn the_mean_moves_with_each_face() {
        let mut g = Groups::new();
        let (a, b) = ([0.0f32; 128], [0.2f32; 128]);
        g.add(1, &a);
        g.add(1, &b);
        // The mean is 0.1 everywhere: 0.1·√128 ≈ 1.13 from both ends' opposite, and the
        // point 0.1 itself is on it.
        assert_eq!(g.nearest(&[0.1f32; 128]), Some(1));
    }
}
