//! The `--device` option of `train`, `embed`, `evaluate`, `predict` and `report`.

use anyhow::bail;

/// Resolves a `--device` value: `cpu`, `cuda`, or `auto`, which picks CUDA when libtorch
/// finds a GPU and the CPU otherwise.
///
/// # Errors
/// The value is invalid, or it is `cuda` and libtorch finds no GPU.
pub(super) fn parse_device(value: &str) -> anyhow::Result<tch::Device> {
    match value {
        "cpu" => Ok(tch::Device::Cpu),
        "auto" => Ok(tch::Device::cuda_if_available()),
        "cuda" if tch::Cuda::is_available() => Ok(tch::Device::Cuda(0)),
        "cuda" => bail!(
            "--device cuda: no CUDA device is available (build with `--features cuda` on a GPU \
             machine); pass --device cpu or auto"
        ),
        other => bail!("invalid --device {other:?}; use cpu, cuda or auto"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_device_cpu_and_auto() {
        assert_eq!(parse_device("cpu").unwrap(), tch::Device::Cpu);
        assert_eq!(
            parse_device("auto").unwrap(),
            tch::Device::cuda_if_available()
        );
    }

    #[test]
    fn parse_device_rejects_unknown() {
        let message = parse_device("gpu").unwrap_err().to_string();
        assert!(message.contains("invalid --device \"gpu\""), "{message}");
    }

    #[test]
    fn parse_device_cuda_needs_gpu() {
        let result = parse_device("cuda");
        if tch::Cuda::is_available() {
            assert_eq!(result.unwrap(), tch::Device::Cuda(0));
        } else {
            let message = result.unwrap_err().to_string();
            assert!(message.contains("no CUDA device"), "{message}");
        }
    }
}
