//! Calibration of the int8 encoder: the texts whose activations set the SmoothQuant scales.

use tch::{Device, Tensor};

use super::bert::Bert;
use crate::text::error::TextError;
use crate::text::tokenizer::TextTokenizer;

/// Texts run through the float32 model before quantisation, so that each dense layer sees
/// the range of its input channels: biomedical and general prose, short and long inputs.
/// None of them is a text of the parity fixture that tests the int8 accuracy.
const CALIBRATION_TEXTS: &[&str] = &[
    "Drug repositioning finds new therapeutic uses for approved medicines.",
    "The kinase inhibitor reduced tumour growth in a mouse xenograft model.",
    "Patients received 20 mg of the study drug daily for six weeks (n = 124).",
    "Hepatotoxicity was reported in 3% of subjects; ALT rose above 3× ULN.",
    "What is the capital of France?",
    "a",
    "IL-6",
    "Angiotensin-converting enzyme inhibitors such as lisinopril and enalapril lower blood \
     pressure and slow the progression of diabetic nephropathy. Cough and angioedema are \
     their best-known adverse effects, and they are contraindicated in pregnancy. In a \
     randomised trial of 1,200 adults with type 2 diabetes and albuminuria, the decline in \
     glomerular filtration rate was slower with treatment than with placebo over four years, \
     while serum potassium rose modestly. Genetic variants of the ACE gene were associated \
     with the response in a secondary analysis, although the effect sizes were small.",
];

/// Runs [`CALIBRATION_TEXTS`] one at a time (so no padding enters the statistics) through
/// a model loaded for int8, whose dense layers record their input ranges.
pub(crate) fn observe_calibration_texts(
    bert: &Bert,
    tokenizer: &TextTokenizer,
) -> Result<(), TextError> {
    let torch_error = |source| TextError::Torch {
        operation: "the int8 calibration pass",
        source,
    };
    tch::no_grad(|| {
        for (index, text) in CALIBRATION_TEXTS.iter().enumerate() {
            let ids: Vec<i64> = tokenizer
                .encode(text, index)?
                .ids
                .into_iter()
                .map(i64::from)
                .collect();
            let length = i64::try_from(ids.len()).expect("a tokenized text fits in i64");
            let input_ids = Tensor::from_slice(&ids)
                .f_view([1, length])
                .map_err(torch_error)?;
            let attention_mask = Tensor::f_ones([1, length], (tch::Kind::Int64, Device::Cpu))
                .map_err(torch_error)?;

            // The pass is run for the input ranges that the layers record, not its output.
            let _hidden = bert
                .forward(&input_ids, &attention_mask)
                .map_err(torch_error)?;
        }
        Ok(())
    })
}
