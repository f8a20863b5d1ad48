#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    deptrust::fuzz::lockfile("requirements.txt", data);
});
