// Links ringlm: an installed copy found by the `pkg-config` program, or else the checkout this crate
// sits in (../../.. from here) built with the `cmake` program into OUT_DIR. RINGLM_SYS_BUILD=pkg-config
// or =cmake forces one way (then a failure is an error, not a fallback). Also compiles the layout
// probe (build/probe.rs) against the header of the library that is linked.
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "build/probe.rs"]
mod probe;

/// What the link step needs to know about the library found.
struct Found {
    how: &'static str,
    include_dir: PathBuf,
    cflags: Vec<String>,
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/probe.rs");
    for var in ["RINGLM_SYS_BUILD", "RINGLM_SYS_CMAKE_ARGS", "CMAKE", "CC", "TARGET_CC"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let target = env::var("TARGET").unwrap_or_default();
    println!("cargo:rerun-if-env-changed=CC_{}", target.replace('-', "_"));

    let mode = env::var("RINGLM_SYS_BUILD").unwrap_or_default();
    let found = match mode.as_str() {
        "pkg-config" => from_pkg_config().unwrap_or_else(|e| fail(&format!("RINGLM_SYS_BUILD=pkg-config: {e}"))),
        "cmake" => from_cmake().unwrap_or_else(|e| fail(&format!("RINGLM_SYS_BUILD=cmake: {e}"))),
        "" | "auto" => from_pkg_config()
            .or_else(|pc| from_cmake().map_err(|cm| format!("pkg-config: {pc}\ncmake: {cm}")))
            .unwrap_or_else(|e| fail(&format!("could not find or build ringlm\n{e}"))),
        other => fail(&format!("RINGLM_SYS_BUILD={other}: expected pkg-config, cmake or auto")),
    };
    println!("cargo:include={}", found.include_dir.display());
    println!("cargo:rustc-env=RINGLM_SYS_LINKED_VIA={}", found.how);
    probe::build(&found.include_dir, &found.cflags);
}

fn fail(message: &str) -> ! {
    eprintln!("ringlm-sys: {message}");
    panic!("ringlm-sys: {message}");
}

/// Runs a command, returning its stdout, or its output as the error when it fails.
fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---- pkg-config -------------------------------------------------------------------------------

fn from_pkg_config() -> Result<Found, String> {
    for var in ["PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let program = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into());
    let flags = run(Command::new(&program).args(["--static", "--libs", "--cflags", "ringlm"]))?;
    let mut search = Vec::new();
    let mut include_dirs = Vec::new();
    let mut cflags = Vec::new();
    let mut libs = Vec::new();
    for flag in flags.split_whitespace() {
        if let Some(dir) = flag.strip_prefix("-L") {
            search.push(PathBuf::from(dir));
        } else if let Some(dir) = flag.strip_prefix("-I") {
            include_dirs.push(PathBuf::from(dir));
            cflags.push(flag.to_string());
        } else if let Some(lib) = flag.strip_prefix("-l") {
            libs.push(lib.to_string());
        } else if flag == "-pthread" {
            libs.push("pthread".into());
        } else if flag.starts_with("-Wl,") {
            println!("cargo:rustc-link-arg={flag}");
        } else if flag.starts_with("-D") {
            cflags.push(flag.to_string());
        }
    }
    // pkg-config drops the system include directory from --cflags.
    include_dirs.extend(["/usr/local/include", "/usr/include"].map(PathBuf::from));
    let include_dir = include_dirs
        .into_iter()
        .find(|d| d.join("ringlm.h").is_file())
        .ok_or_else(|| format!("pkg-config found ringlm but no ringlm.h beside its flags: {flags}"))?;
    println!("cargo:rerun-if-changed={}", include_dir.join("ringlm.h").display());

    for dir in &search {
        println!("cargo:rustc-link-search=native={}", dir.display());
    }
    for lib in &libs {
        // The library itself statically when its archive is there (the contract installs one).
        let archive = format!("lib{lib}.a");
        if lib == "ringlm" && search.iter().any(|d| d.join(&archive).is_file()) {
            if let Some(dir) = search.iter().find(|d| d.join(&archive).is_file()) {
                println!("cargo:rerun-if-changed={}", dir.join(&archive).display());
            }
            println!("cargo:rustc-link-lib=static=ringlm");
        } else {
            println!("cargo:rustc-link-lib={lib}");
        }
    }
    Ok(Found { how: "pkg-config", include_dir, cflags })
}

// ---- cmake ------------------------------------------------------------------------------------

fn from_cmake() -> Result<Found, String> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../../..");
    if !root.join("CMakeLists.txt").is_file() || !root.join("include/ringlm.h").is_file() {
        return Err(format!("{} is not a ringlm checkout", root.display()));
    }
    let root = root.canonicalize().map_err(|e| e.to_string())?;
    watch_sources(&root);

    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    let build = out.join("cmake-build");
    let lib_dir = out.join("lib");
    let cmake = env::var("CMAKE").unwrap_or_else(|_| "cmake".into());
    let mut configure = Command::new(&cmake);
    configure
        .arg("-S")
        .arg(&root)
        .arg("-B")
        .arg(&build)
        .args(["-DCMAKE_BUILD_TYPE=Release", "-DRINGLM_TESTS=OFF", "-DRINGLM_TOOLS=OFF"])
        .arg(format!("-DCMAKE_ARCHIVE_OUTPUT_DIRECTORY={}", lib_dir.display()));
    if let Ok(extra) = env::var("RINGLM_SYS_CMAKE_ARGS") {
        configure.args(extra.split_whitespace());
    }
    run(&mut configure)?;
    let jobs = env::var("NUM_JOBS").unwrap_or_else(|_| "2".into());
    run(Command::new(&cmake).arg("--build").arg(&build).args(["--target", "ringlm", "--parallel", &jobs]))?;
    if !lib_dir.join("libringlm.a").is_file() {
        return Err(format!("cmake built no {}", lib_dir.join("libringlm.a").display()));
    }

    let cache = std::fs::read_to_string(build.join("CMakeCache.txt")).unwrap_or_default();
    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=static=ringlm");
    println!("cargo:rustc-link-lib=stdc++");
    println!("cargo:rustc-link-lib=m");
    if cache_value(&cache, "RINGLM_SINGLE_THREADED").map_or(true, |v| !is_on(v)) {
        println!("cargo:rustc-link-lib=pthread");
    }
    if cache_value(&cache, "RINGLM_BLAS").is_some_and(is_on) {
        if let Some(dir) = cache_value(&cache, "RINGLM_OPENBLAS_LIB").and_then(|p| Path::new(p).parent()) {
            println!("cargo:rustc-link-search=native={}", dir.display());
        }
        println!("cargo:rustc-link-lib=openblas");
    }
    Ok(Found { how: "cmake", include_dir: root.join("include"), cflags: Vec::new() })
}

/// Reruns the build when the library's sources change: every top-level entry of the checkout but
/// the ones that are not part of the library (a directory is scanned whole by cargo).
fn watch_sources(root: &Path) {
    const NOT_LIBRARY: [&str; 6] = ["bindings", "docs", "tests", "tools", "examples", "target"];
    let Ok(entries) = std::fs::read_dir(root) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.starts_with("build") || NOT_LIBRARY.contains(&name.as_str()) {
            continue;
        }
        println!("cargo:rerun-if-changed={}", entry.path().display());
    }
}

fn cache_value<'a>(cache: &'a str, key: &str) -> Option<&'a str> {
    cache.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        (name.split(':').next() == Some(key)).then_some(value)
    })
}

fn is_on(value: &str) -> bool {
    matches!(value.to_ascii_uppercase().as_str(), "ON" | "1" | "TRUE" | "YES" | "Y")
}
