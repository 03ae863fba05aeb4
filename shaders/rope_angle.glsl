// The rotary angle of a pair at a position, exactly (rope.comp says why):
// the including shader declares turns[] (encode_rope_turns, ops/rope_turns.h).

// Angle of `pos` for a pair, in [-pi, pi): the top 32 bits of the fraction of a
// turn pos * turns (mod 1), read as a signed fixed-point number.
float pair_angle(uint pos, uvec2 t) {
  uint msb, lsb;
  umulExtended(pos, t.x, msb, lsb);
  const uint turn_fraction = pos * t.y + msb;  // wraps modulo 2^32: whole turns drop out
  return float(int(turn_fraction)) * 1.4629180792671596e-9;  // 2 pi / 2^32
}

// (cos, sin) of that angle, both times the attention factor m.
vec2 pair_rotation(uint pos, uvec2 t, float m) {
  const float angle = pair_angle(pos, t);
  return vec2(cos(angle), sin(angle)) * m;
}
