;; RC4's keystream loop (MS-NLMP 3.4.3's sealing cipher) for src/auth/ntlm/rc4-wasm.ts, which
;; embeds the bytes wabt compiles this to (test/auth/ntlm/rc4-wasm.test.ts checks they match).
;;
;; Memory: the state S at 0..255, i at 256, j at 257; the bytes to crypt at 1024 onwards, XORed
;; with the keystream in place. crypt(len) runs len bytes and leaves i and j for the next call.
(module
  (memory (export "memory") 2)
  (func (export "crypt") (param $len i32)
    (local $i i32) (local $j i32) (local $si i32) (local $sj i32) (local $p i32) (local $end i32)
    (local.set $i (i32.load8_u (i32.const 256)))
    (local.set $j (i32.load8_u (i32.const 257)))
    (local.set $p (i32.const 1024))
    (local.set $end (i32.add (i32.const 1024) (local.get $len)))
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $loop
        (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (i32.const 255)))
        (local.set $si (i32.load8_u (local.get $i)))
        (local.set $j (i32.and (i32.add (local.get $j) (local.get $si)) (i32.const 255)))
        (local.set $sj (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $i) (local.get $sj))
        (i32.store8 (local.get $j) (local.get $si))
        (i32.store8 (local.get $p)
          (i32.xor (i32.load8_u (local.get $p))
                   (i32.load8_u (i32.and (i32.add (local.get $si) (local.get $sj)) (i32.const 255)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $loop (i32.lt_u (local.get $p) (local.get $end)))))
    (i32.store8 (i32.const 256) (local.get $i))
    (i32.store8 (i32.const 257) (local.get $j))))
