//! Thinning of the ridge map to one-pixel-wide ridges (Zhang and Suen's parallel algorithm with
//! lookup tables), and the neighbourhood arithmetic the minutiae detector needs.

/// Neighbour offsets in order around a pixel: N, NE, E, SE, S, SW, W, NW.
pub const RING: [(i32, i32); 8] = [
    (0, -1),
    (1, -1),
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
];

/// The 8-bit neighbourhood code of (x, y): bit i set when `RING[i]` is a ridge pixel.
pub fn code(img: &[u8], w: usize, h: usize, x: usize, y: usize) -> u8 {
    let mut c = 0u8;
    for (i, (dx, dy)) in RING.iter().enumerate() {
        let (nx, ny) = (x as i32 + dx, y as i32 + dy);
        if nx >= 0
            && ny >= 0
            && (nx as usize) < w
            && (ny as usize) < h
            && img[ny as usize * w + nx as usize] != 0
        {
            c |= 1 << i;
        }
    }
    c
}

/// The crossing number of a neighbourhood code: 1 at a ridge ending, 2 along a ridge, 3 at a
/// bifurcation.
pub fn crossing_number(c: u8) -> u32 {
    let mut t = 0;
    for i in 0..8 {
        let a = (c >> i) & 1;
        let b = (c >> ((i + 1) % 8)) & 1;
        t += u32::from(a != b);
    }
    t / 2
}

fn removable(c: u8, pass: usize) -> bool {
    let p = |i: usize| (c >> i) & 1; // p(0)=N=P2, p(2)=E=P4, p(4)=S=P6, p(6)=W=P8
    let b = c.count_ones();
    if !(2..=6).contains(&b) {
        return false;
    }
    let a = (0..8).filter(|&i| p(i) == 0 && p((i + 1) % 8) == 1).count();
    if a != 1 {
        return false;
    }
    if pass == 0 {
        p(0) * p(2) * p(4) == 0 && p(2) * p(4) * p(6) == 0
    } else {
        p(0) * p(2) * p(6) == 0 && p(0) * p(4) * p(6) == 0
    }
}

/// Thins `img` (1 = ridge) in place to one-pixel-wide ridges.
pub fn thin(img: &mut [u8], w: usize, h: usize) {
    let lut: [[bool; 256]; 2] = [
        std::array::from_fn(|c| removable(c as u8, 0)),
        std::array::from_fn(|c| removable(c as u8, 1)),
    ];
    // Candidates: only ridge pixels ever change, so keep their list.
    let mut live: Vec<usize> = (0..w * h).filter(|&i| img[i] != 0).collect();
    let mut remove = Vec::new();
    loop {
        let mut changed = false;
        for table in &lut {
            remove.clear();
            for &i in &live {
                if img[i] != 0 && table[code(img, w, h, i % w, i / w) as usize] {
                    remove.push(i);
                }
            }
            for &i in &remove {
                img[i] = 0;
            }
            changed |= !remove.is_empty();
        }
        live.retain(|&i| img[i] != 0);
        if !changed {
            break;
        }
    }
    // Remove staircase corners that leave pixels with two 4-adjacent neighbours meeting at a
    // right angle: they would read as spurious bifurcations.
    for i in 0..w * h {
        if img[i] == 0 {
            continue;
        }
        let c = code(img, w, h, i % w, i / w);
        let p = |k: usize| (c >> k) & 1 == 1;
        let corner = (p(0) && p(2) && !p(5) && !p(4) && !p(6))
            || (p(2) && p(4) && !p(7) && !p(6) && !p(0))
            || (p(4) && p(6) && !p(1) && !p(0) && !p(2))
            || (p(6) && p(0) && !p(3) && !p(2) && !p(4));
        if corner {
            img[i] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_numbers() {
        assert_eq!(crossing_number(0b0000_0001), 1); // N only: an ending
        assert_eq!(crossing_number(0b0001_0001), 2); // N and S: a ridge
        assert_eq!(crossing_number(0b0101_0001), 3); // N, S, W: a fork
        assert_eq!(crossing_number(0b0000_0011), 1); // N and NE touch: still an ending
    }

    #[test]
    fn a_thick_bar_thins_to_a_line() {
        let (w, h) = (20, 9);
        let mut img = vec![0u8; w * h];
        for y in 2..7 {
            for x in 2..18 {
                img[y * w + x] = 1;
            }
        }
        thin(&mut img, w, h);
        for x in 5..15 {
            let col: u32 = (0..h).map(|y| u32::from(img[y * w + x])).sum();
            assert_eq!(col, 1, "column {x}");
        }
    }
}
